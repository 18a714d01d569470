import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from './config.js';
import { postingClocksOf } from './settings-of-config.js';

describe('configuration', () => {
  it('defaults to port 3001 and the embedded database when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3001, LOG_LEVEL: 'info' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(3001);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reports every bad value, one line each', () => {
    const failure = (() => {
      try {
        loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db', LOG_LEVEL: 'loud' });
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ConfigError);
    const lines = (failure as ConfigError).message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((line) => line.trim().split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
  });

  it('reads the posting clocks, TikTok-sized by default and shortened for a fault run', () => {
    expect(postingClocksOf(loadConfig({}))).toEqual({
      pollInitialMs: 2_000,
      pollMaxMs: 300_000,
      inboxPollMaxMs: 21_600_000,
      inboxWatchMs: 2_592_000_000,
      processingDeadlineMs: 7_200_000,
      leaseMs: 120_000,
      orphanedReservationMs: 60_000,
      sweepIntervalMs: 60_000,
    });
    const fast = loadConfig({ POSTING_POLL_INITIAL_MS: '500', POSTING_PROCESSING_DEADLINE_MS: '30000', POSTING_SWEEP_INTERVAL_MS: '2000' });
    expect(postingClocksOf(fast)).toMatchObject({ pollInitialMs: 500, processingDeadlineMs: 30_000, sweepIntervalMs: 2_000 });
    // graphile-worker's minute cron is the slowest sweep there is.
    expect(() => loadConfig({ POSTING_SWEEP_INTERVAL_MS: '120000' })).toThrow(/POSTING_SWEEP_INTERVAL_MS/);
  });

  it('polls an inbox draft rarely: from POSTING_POLL_MAX_MS up to POSTING_INBOX_POLL_MAX_MS, for POSTING_INBOX_WATCH_MS', () => {
    expect(postingClocksOf(loadConfig({ POSTING_INBOX_POLL_MAX_MS: '3600000', POSTING_INBOX_WATCH_MS: '86400000' }))).toMatchObject({
      inboxPollMaxMs: 3_600_000,
      inboxWatchMs: 86_400_000,
    });
    expect(() => loadConfig({ POSTING_INBOX_WATCH_MS: 'forever' })).toThrow(/POSTING_INBOX_WATCH_MS/);
  });

  it('refuses http video URLs against the real TikTok, which pulls only https; allows them against an emulator', () => {
    const app = { TIKTOK_CLIENT_KEY: 'key', TIKTOK_CLIENT_SECRET: 'secret', VIDEO_URL_ALLOW_HTTP: 'true' };
    expect(() => loadConfig(app)).toThrow(/VIDEO_URL_ALLOW_HTTP: TikTok pulls only https video URLs/);
    expect(loadConfig({ ...app, TIKTOK_API_BASE_URL: 'http://127.0.0.1:4100' }).VIDEO_URL_ALLOW_HTTP).toBe(true);
    expect(loadConfig({ VIDEO_URL_ALLOW_HTTP: 'true' }).VIDEO_URL_ALLOW_HTTP).toBe(true);
  });

  it('sends PKCE as TikTok documents it (hex) unless told to leave it out (off)', () => {
    expect(loadConfig({}).TIKTOK_PKCE).toBe('hex');
    expect(loadConfig({ TIKTOK_PKCE: 'off' }).TIKTOK_PKCE).toBe('off');
    expect(() => loadConfig({ TIKTOK_PKCE: 'base64url' })).toThrow(/TIKTOK_PKCE: must be hex or off/);
  });

  it('keeps TikTok\'s one-minute rate-limit window unless a load test shortens it, within 1 s to 60 s', () => {
    expect(loadConfig({}).TIKTOK_RATE_LIMIT_WINDOW_MS).toBe(60_000);
    expect(loadConfig({ TIKTOK_RATE_LIMIT_WINDOW_MS: '20000', DATA_DIR: '/tmp/bench' })).toMatchObject({ TIKTOK_RATE_LIMIT_WINDOW_MS: 20_000, DATA_DIR: '/tmp/bench' });
    expect(() => loadConfig({ TIKTOK_RATE_LIMIT_WINDOW_MS: '120000' })).toThrow(/TIKTOK_RATE_LIMIT_WINDOW_MS/);
  });
});

describe('one reading of each kind of value', () => {
  it('reads every switch the same way (true/false, 1/0, on/off, yes/no) and refuses anything else', () => {
    const on = loadConfig({ VIDEO_URL_ALLOW_HTTP: 'yes', VIDEO_URL_ALLOW_PRIVATE_ADDRESSES: '1', TIKTOK_SANDBOX_MODE: 'on' });
    expect(on).toMatchObject({ VIDEO_URL_ALLOW_HTTP: true, VIDEO_URL_ALLOW_PRIVATE_ADDRESSES: true, TIKTOK_SANDBOX_MODE: true });
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS).toBe(false);
    expect(() => loadConfig({ VIDEO_URL_PREFIXES: 'https://proj.supabase.co/videos/', VIDEO_URL_ALLOW_HTTP: 'yes please' })).toThrow(
      /VIDEO_URL_ALLOW_HTTP/,
    );
  });

  it('refuses a number that is not a whole number', () => {
    expect(() => loadConfig({ VIDEO_URL_PREFIXES: 'https://proj.supabase.co/videos/', VIDEO_MAX_BYTES: '4GB' })).toThrow(/VIDEO_MAX_BYTES/);
  });

  it('splits lists at commas, trimming each entry and dropping empty ones', () => {
    expect(loadConfig({ VIDEO_URL_PRIVATE_ALLOW_LIST: ' 127.0.0.1 , ,::1,' }).VIDEO_URL_PRIVATE_ALLOW_LIST).toEqual(['127.0.0.1', '::1']);
    expect(loadConfig({}).ENCRYPTION_KEYS).toEqual([]);
  });

  it('trims sign-in settings and secrets, a blank one meaning unset', () => {
    expect(loadConfig({ OIDC_ISSUER: '  ', DEMO_JWT_SECRET: ' demo-secret ' })).toMatchObject({ OIDC_ISSUER: undefined, DEMO_JWT_SECRET: 'demo-secret' });
  });
});

describe('the README’s configuration table', () => {
  it('lists every variable of the configuration, and no other', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
    const documented = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]));
    expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
