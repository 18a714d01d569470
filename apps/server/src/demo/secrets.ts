import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateFernetKey } from '@reelpost/api';
import { z } from 'zod';

const demoSecretsSchema = z.object({ encryptionKey: z.string().min(40), demoJwtSecret: z.string().min(32) });
export type DemoSecrets = z.infer<typeof demoSecretsSchema>;

/**
 * Demo mode needs an encryption key and a token secret; they are made once and kept beside the demo database
 * (git-ignored), so sealed tokens and issued demo tokens stay valid across restarts.
 */
export function loadOrCreateDemoSecrets(file: string): DemoSecrets {
  if (existsSync(file)) {
    const parsed = demoSecretsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const secrets: DemoSecrets = { encryptionKey: generateFernetKey(), demoJwtSecret: randomBytes(32).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
