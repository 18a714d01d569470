import { checkVideoUrl } from '@reelpost/api';
import type { Runtime } from '../../src/runtime.js';
import { bearer, type SecurityServer } from './harness.js';
import { type Answer, call, listProcedures, SURFACES, type Surface } from './procedures.js';
import { seedVideoTask } from './production.js';

// What the SSRF suites share: post a task whose video URL is an attacker's choice through tiktok.post, over both
// surfaces, and a safety interlock for targets that are not on this machine.

export interface SsrfCase {
  label: string;
  url: string;
  /** `details.reason` of the refusal (null for NO_VIDEO_OUTPUT, which has none). */
  reason: string | null;
  /**
   * VIDEO_URL_NOT_ALLOWED unless said. NO_VIDEO_OUTPUT for what is not an absolute http(s) URL: such an output is not
   * a video at all to tasks.detail and tiktok.post (extractVideoOutput), so it never reaches the guard — refused even
   * earlier, and the guard's own scheme check stands behind it (video/check.test.ts).
   */
  code?: 'VIDEO_URL_NOT_ALLOWED' | 'VIDEO_URL_UNREACHABLE' | 'NO_VIDEO_OUTPUT';
  /** Aimed off this machine: must be refused by the static check before it is sent (see assertRefusedWithoutIo). */
  offMachine?: boolean;
}

const post = listProcedures().find((procedure) => procedure.path === 'tiktok.post')!;

/** Creates a completed task whose output video is `url` and asks tiktok.post to publish it, over `surface`. */
export async function postVideoUrl(server: SecurityServer, surface: Surface, owner: { instanceId: string; token: string }, url: string): Promise<Answer> {
  const taskId = await seedVideoTask(server.runtime.deps.db, owner.instanceId, url, `SSRF ${surface}`);
  return call(server, surface, post, { taskId, title: 'SSRF #ai', privacyLevel: 'SELF_ONLY' }, bearer(owner.token));
}

export async function postOverBothSurfaces(server: SecurityServer, owner: { instanceId: string; token: string }, url: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const surface of SURFACES) answers.push(await postVideoUrl(server, surface, owner, url));
  return answers;
}

/**
 * Safety interlock for URLs aimed off this machine (cloud metadata, private networks): the guard's static check must
 * refuse them, without any I/O, before the suite sends them through the server. If the guard ever regressed, the
 * suite fails here instead of sending traffic to an address that is never ours to reach.
 */
export function assertRefusedWithoutIo(runtime: Runtime, url: string): void {
  let accepted = true;
  try {
    checkVideoUrl(url, runtime.deps.settings.video);
  } catch {
    accepted = false;
  }
  if (accepted) throw new Error(`interlock: ${url} passes the static check; not sending it anywhere`);
}
