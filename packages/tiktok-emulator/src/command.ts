import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RATE_LIMIT_WINDOW_MS } from '@reelpost/tiktok';
import { startTikTokEmulator, type TikTokEmulator } from './server.js';
import type { TikTokEmulatorOptions } from './options.js';

// The standalone command's logic, separate from the process entry (cli.ts) so it can be tested in-process.

export const EMULATOR_USAGE = `Usage: emulator [options]
  --port <n>              port to listen on (0 = a free one; default 0 or $TIKTOK_EMULATOR_PORT)
  --host <addr>           interface (default 127.0.0.1)
  --config <file.json>    options as JSON (users, app, processing, rateLimits, webhooks, ...)
  --client-key <key>      app client key (default emulator-client-key)
  --client-secret <s>     app client secret (default emulator-client-secret)
  --redirect-uri <uri>    a registered redirect URI (repeatable)
  --verified-prefix <p>   a verified URL prefix for PULL_FROM_URL (repeatable)
  --webhook-url <url>     where signed webhooks are delivered
  --unaudited             behave as an unaudited app (SELF_ONLY only, 5 posting users a day)
  --consent-page          show a consent page instead of consenting at once
  --seed <text>           seed for deterministic ids
  --rate-limit-window-ms <n>  TikTok's one-minute per-token window, shortened for load tests
                          (default 60000 or $TIKTOK_RATE_LIMIT_WINDOW_MS; the app's must match)
  --json                  print one JSON line {url, clientKey, users} instead of text
  --help`;

/** The emulator scales TikTok's one-minute window; people (and the app's own setting) speak in milliseconds. */
function windowScaleOf(windowMs: string): number {
  const ms = Number(windowMs);
  if (!Number.isInteger(ms) || ms < 1 || ms > RATE_LIMIT_WINDOW_MS) {
    throw new RangeError(`the rate-limit window must be a whole number of milliseconds from 1 to ${RATE_LIMIT_WINDOW_MS}, not ${windowMs}`);
  }
  return ms / RATE_LIMIT_WINDOW_MS;
}

/**
 * Starts the emulator on real time as the command line says and prints where it is; undefined after --help. The
 * emulator is a tool of its own, not part of Reelpost's configuration (apps/server/src/config.ts): it reads its two
 * variables here, TIKTOK_EMULATOR_PORT and the TIKTOK_RATE_LIMIT_WINDOW_MS a load test gives the server too.
 */
export async function runEmulatorCommand(
  argv: string[],
  print: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): Promise<TikTokEmulator | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      'client-key': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'verified-prefix': { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      unaudited: { type: 'boolean' },
      'consent-page': { type: 'boolean' },
      seed: { type: 'string' },
      'rate-limit-window-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    print(EMULATOR_USAGE);
    return undefined;
  }
  const fromFile = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as TikTokEmulatorOptions) : {};
  const app = { ...fromFile.app };
  if (values['client-key']) app.clientKey = values['client-key'];
  if (values['client-secret']) app.clientSecret = values['client-secret'];
  if (values['redirect-uri']) app.redirectUris = [...(app.redirectUris ?? []), ...values['redirect-uri']];
  if (values['verified-prefix']) app.verifiedUrlPrefixes = [...(app.verifiedUrlPrefixes ?? []), ...values['verified-prefix']];
  if (values['webhook-url']) app.webhookUrl = values['webhook-url'];
  if (values.unaudited) app.audited = false;
  const port = Number(values.port ?? env.TIKTOK_EMULATOR_PORT ?? fromFile.port ?? 0);
  const windowMs = values['rate-limit-window-ms'] ?? env.TIKTOK_RATE_LIMIT_WINDOW_MS;
  const rateLimits = windowMs ? { ...fromFile.rateLimits, windowScale: windowScaleOf(windowMs) } : fromFile.rateLimits;

  const emulator = await startTikTokEmulator({
    ...fromFile,
    clock: 'real',
    port,
    app,
    ...(rateLimits && { rateLimits }),
    ...(values.host && { host: values.host }),
    ...(values.seed && { seed: values.seed }),
    ...(values['consent-page'] && { consentPage: true }),
  });
  const users = (await emulator.users()).map(({ openId, username, accountPrivate }) => ({ openId, username, accountPrivate }));
  if (values.json) {
    print(JSON.stringify({ url: emulator.url, clientKey: emulator.app.clientKey, users }));
  } else {
    print(`TikTok emulator listening on ${emulator.url}`);
    print(`  client key ${emulator.app.clientKey}; authorize page ${emulator.url}/v2/auth/authorize/; admin ${emulator.url}/__emulator/`);
    for (const user of users) print(`  test user @${user.username} (${user.openId})${user.accountPrivate ? ', private account' : ''}`);
  }
  return emulator;
}
