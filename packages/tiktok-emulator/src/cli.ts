import { runEmulatorCommand } from './command.js';

// pnpm --filter @reelpost/tiktok-emulator emulator [-- --port 4010 --redirect-uri http://127.0.0.1:3001/auth/tiktok/callback]

runEmulatorCommand(process.argv.slice(2), (line) => console.log(line)).then(
  (emulator) => {
    if (!emulator) return;
    const shutdown = () => void emulator.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  },
  (error: unknown) => {
    console.error(`The TikTok emulator could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
