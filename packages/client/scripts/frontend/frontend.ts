// A frontend's use of @reelpost/client. verify-package.mjs typechecks it against the packed tarball in a project of its
// own (strict, skipLibCheck off); here it is linted and typechecked against the sources (tsconfig.json next to it).
import {
  createReelpostClient,
  FINAL_POST_STATES,
  isReelpostErrorCode,
  readReelpostError,
  REELPOST_ERROR_CODES,
  waitForPublish,
  WaitForPublishAbortedError,
  WaitForPublishTimeoutError,
  type CreatorInfo,
  type PostInput,
  type PostStatus,
  type PrivacyLevel,
  type ReelpostClient,
  type ReelpostErrorCode,
  type ReelpostInputs,
  type ReelpostOutputs,
  type TaskDetail,
  type TaskListItem,
  type TikTokAccount,
} from '@reelpost/client';

const client: ReelpostClient = createReelpostClient({
  url: 'https://api.example.com',
  getToken: () => Promise.resolve(globalThis.localStorage?.getItem('token')),
  headers: { 'x-app-version': '1.0.0' },
});

export async function showTask(taskId: string): Promise<string> {
  const detail: TaskDetail = await client.tasks.detail.query({ taskId });
  const created: Date = detail.createdAt;
  const steps: string[] = detail.planning.steps.map((step) => `${step.title}: ${step.status}`);
  const page: ReelpostOutputs['tasks']['list'] = await client.tasks.list.query({ limit: 10, cursor: null });
  const first: TaskListItem | undefined = page.items[0];
  const accounts: TikTokAccount[] = await client.tiktok.accounts.query();
  const accountId: string | undefined = accounts[0]?.id;
  const info: CreatorInfo = await client.tiktok.creatorInfo.query(accountId ? { accountId } : undefined);
  const level: PrivacyLevel | undefined = info.privacyLevelOptions[0];
  return `${created.toISOString()} ${steps.join(', ')} ${first?.title ?? ''} ${level ?? ''}`;
}

export async function postAndWait(taskId: string, signal: AbortSignal): Promise<PostStatus> {
  const input: PostInput = { taskId, title: 'Launch day #ai', privacyLevel: 'SELF_ONLY', mode: 'direct' };
  const posted: PostStatus = await client.tiktok.post.mutate(input);
  console.log(posted.status, posted.outcomeUnknown);
  const accountId: string | undefined = posted.accountId;
  const final = await waitForPublish(client, {
    taskId,
    accountId,
    signal,
    timeoutMs: 120_000,
    onProgress: (status: PostStatus) => console.log(status.status, status.message),
  });
  if (final.status === 'PUBLISHED') console.log(final.publicUrl);
  return final;
}

export function explain(error: unknown): string {
  if (error instanceof WaitForPublishTimeoutError) return `still ${error.lastStatus?.status ?? 'unknown'} after ${error.timeoutMs} ms`;
  if (error instanceof WaitForPublishAbortedError) return 'stopped';
  const problem = readReelpostError(error);
  if (!problem) return 'Could not reach Reelpost.';
  const logId: string | null | undefined = problem.tiktok?.logId;
  switch (problem.code) {
    case 'RATE_LIMITED':
      return `Try again in ${Math.ceil((problem.retryAfterMs ?? 1000) / 1000)} s.`;
    case 'INVALID_INPUT':
      return (problem.issues ?? []).map((issue) => `${issue.path}: ${issue.message}`).join('\n');
    case 'PRIVACY_LEVEL_NOT_ALLOWED':
    case 'ACCOUNT_NEEDS_REAUTH':
      return problem.hint ?? problem.message;
    default:
      return `${problem.message} (${problem.httpStatus}${logId ? `, TikTok log ${logId}` : ''})`;
  }
}

const everyCode: readonly ReelpostErrorCode[] = REELPOST_ERROR_CODES;
const finals: readonly string[] = FINAL_POST_STATES;
const detailInput: ReelpostInputs['tasks']['detail'] = { taskId: 'x' };
export const facts = [everyCode.length, finals.length, detailInput.taskId, isReelpostErrorCode('RATE_LIMITED')];

// Calls that must not compile.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- each line below is a type error on purpose, so what it touches has no type */
// @ts-expect-error: there is no tasks.remove
void client.tasks.remove.mutate({ taskId: 'x' });
// @ts-expect-error: tasks.detail needs a taskId
void client.tasks.detail.query({});
// @ts-expect-error: tasks.list is a query, not a mutation
void client.tasks.list.mutate({});
// @ts-expect-error: the limit is a number
void client.tasks.list.query({ limit: '10' });
// @ts-expect-error: 'PUBLIC' is not one of TikTok's privacy levels
export const wrongLevel: PostInput = { taskId: 'x', title: 'Launch', privacyLevel: 'PUBLIC' };
// @ts-expect-error: tiktok.post takes TikTok's privacy levels only
void client.tiktok.post.mutate({ taskId: 'x', title: 'Launch', privacyLevel: 'EVERYONE' });
// @ts-expect-error: tiktok.post needs a privacy level (there is no default)
void client.tiktok.post.mutate({ taskId: 'x', title: 'Launch' });
// @ts-expect-error: tiktok.status is a query
void client.tiktok.status.mutate({ taskId: 'x' });
// @ts-expect-error: not an error code of the API
export const wrongCode: ReelpostErrorCode = 'TASK_MISSING';
// @ts-expect-error: outputs are typed too: a task has no videoUrl field
export const wrongField = async (taskId: string) => (await client.tasks.detail.query({ taskId })).videoUrl;
// @ts-expect-error: waitForPublish needs a taskId
void waitForPublish(client, { accountId: 'x' });
// @ts-expect-error: a client takes a token or a getToken, not both
createReelpostClient({ url: 'https://api.example.com', token: 't', getToken: () => 't' });
// @ts-expect-error: waitForPublish needs a client, not a URL
void waitForPublish('https://api.example.com', { taskId: 'x' });
