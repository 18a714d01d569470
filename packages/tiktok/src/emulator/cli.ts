import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTikTokEmulator } from './server.js';
import type { TikTokEmulatorOptions } from './options.js';

// pnpm --filter @reelpost/tiktok emulator [-- --port 4010 --redirect-uri http://127.0.0.1:3001/auth/tiktok/callback]
// Starts the emulator on real time and prints its URL (and, with --json, one JSON line for scripts).

const USAGE = `Usage: emulator [options]
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
  --json                  print one JSON line {url, clientKey, users} instead of text
  --help`;

function main(): Promise<void> | void {
  const { values } = parseArgs({
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
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const fromFile = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as TikTokEmulatorOptions) : {};
  const app = { ...fromFile.app };
  if (values['client-key']) app.clientKey = values['client-key'];
  if (values['client-secret']) app.clientSecret = values['client-secret'];
  if (values['redirect-uri']) app.redirectUris = [...(app.redirectUris ?? []), ...values['redirect-uri']];
  if (values['verified-prefix']) app.verifiedUrlPrefixes = [...(app.verifiedUrlPrefixes ?? []), ...values['verified-prefix']];
  if (values['webhook-url']) app.webhookUrl = values['webhook-url'];
  if (values.unaudited) app.audited = false;
  const port = Number(values.port ?? process.env.TIKTOK_EMULATOR_PORT ?? fromFile.port ?? 0);

  return startTikTokEmulator({
    ...fromFile,
    clock: 'real',
    port,
    app,
    ...(values.host && { host: values.host }),
    ...(values.seed && { seed: values.seed }),
    ...(values['consent-page'] && { consentPage: true }),
  }).then(async (emulator) => {
    const users = (await emulator.users()).map(({ openId, username, accountPrivate }) => ({ openId, username, accountPrivate }));
    if (values.json) {
      console.log(JSON.stringify({ url: emulator.url, clientKey: emulator.app.clientKey, users }));
    } else {
      console.log(`TikTok emulator listening on ${emulator.url}`);
      console.log(`  client key ${emulator.app.clientKey}; authorize page ${emulator.url}/v2/auth/authorize/; admin ${emulator.url}/__emulator/`);
      for (const user of users) console.log(`  test user @${user.username} (${user.openId})${user.accountPrivate ? ', private account' : ''}`);
    }
    const shutdown = () => {
      void emulator.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

Promise.resolve(main()).catch((error: unknown) => {
  console.error(`The TikTok emulator could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
