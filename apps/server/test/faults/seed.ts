import { createTokenCodec, demoSubFor, storeConnectedAccount, systemClock } from '@reelpost/api';
import { tokenSetFromResponse } from '@reelpost/tiktok';
import type { DatabaseHandle } from '@reelpost/db';
import type { TikTokEmulatorControls } from '@reelpost/tiktok-emulator';

// The people of a fault run: users signed in through the server (POST /dev/token), each with an instance, connected
// TikTok accounts (one TikTok user each) and completed video tasks — one task per planned post — stored the way
// the app's own flows store them.

export interface SeededAccount {
  accountId: string;
  token: string;
}

export interface SeededPost {
  taskId: string;
  accountId: string;
  /** The bearer token of the task's owner. */
  token: string;
}

export interface SeedOptions {
  db: DatabaseHandle['db'];
  serverUrl: string;
  emulator: TikTokEmulatorControls;
  encryptionKey: string;
  tiktokUsers: string[];
  accountsPerUser: number;
  posts: number;
  videoUrl: string;
}

async function signIn(serverUrl: string, email: string): Promise<string> {
  const response = await fetch(`${serverUrl}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  if (!response.ok) throw new Error(`POST /dev/token answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function seedRun(options: SeedOptions): Promise<SeededPost[]> {
  const { db } = options;
  const deps = { db, tokens: createTokenCodec({ keys: [options.encryptionKey], clock: systemClock }), clock: systemClock };
  const accounts: SeededAccount[] = [];
  const instanceOf = new Map<string, string>();
  for (let first = 0; first < options.tiktokUsers.length; first += options.accountsPerUser) {
    const email = `faults-${first / options.accountsPerUser}@reelpost.test`;
    const token = await signIn(options.serverUrl, email);
    const user = await db.selectFrom('users').select('id').where('sub', '=', demoSubFor(email)).executeTakeFirstOrThrow();
    const instance = await db.selectFrom('instances').select('id').where('owner_id', '=', user.id).executeTakeFirstOrThrow();
    for (const [offset, username] of options.tiktokUsers.slice(first, first + options.accountsPerUser).entries()) {
      const issued = await options.emulator.issueTokens(username);
      const account = await storeConnectedAccount(deps, {
        instanceId: instance.id,
        tokens: tokenSetFromResponse(issued, Date.now()),
        profile: { username, displayName: username },
        isDefault: offset === 0,
      });
      accounts.push({ accountId: account.id, token });
      instanceOf.set(account.id, instance.id);
    }
  }

  const posts: SeededPost[] = [];
  for (let index = 0; index < options.posts; index++) {
    const account = accounts[index % accounts.length]!;
    const task = await db
      .insertInto('instance_tasks')
      .values({
        instance_id: instanceOf.get(account.accountId)!,
        type: 'video_generation',
        status: 'completed',
        title: `Fault run video ${index}`,
        input: JSON.stringify({ prompt: `video ${index}` }),
        output_data: JSON.stringify({ video_url: options.videoUrl, media_type: 'video/mp4', duration: 4 }),
        execution_steps: JSON.stringify([]),
        completed_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    posts.push({ taskId: task.id, accountId: account.accountId, token: account.token });
  }
  return posts;
}
