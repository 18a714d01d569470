// @reelpost/client: the typed client of the Reelpost API for any frontend (or script).
//
// Everything here is self-contained: the procedures' types are printed from the server's router into
// contract.generated.ts (scripts/generate-contract.ts explains how and why), so installing this package brings
// @trpc/client, @trpc/server (for its types) and superjson, and no server code.
export {
  createReelpostClient,
  DEFAULT_MAX_BATCH_ITEMS,
  type ReelpostClient,
  type ReelpostClientError,
  type ReelpostClientOptions,
  type ReelpostInputs,
  type ReelpostOutputs,
} from './client.js';
export { isReelpostErrorCode, readReelpostError, type ReelpostErrorInfo } from './errors.js';
export { type PhotoPostInput, postInput, type TypedPostInput, type VideoPostInput } from './post-input.js';
export {
  type FinalPostStatus,
  isFinalPostStatus,
  isWaitingPostStatus,
  type PostStatusReader,
  waitForPublish,
  WaitForPublishAbortedError,
  WaitForPublishError,
  type WaitForPublishOptions,
  WaitForPublishTimeoutError,
  type WaitingPostStatus,
} from './wait-for-publish.js';
export { type PostEvent, type PostWatcher, watchPost } from './watch-post.js';
export {
  type ConnectResult,
  type CreatorInfo,
  type DisconnectResult,
  FINAL_POST_STATES,
  type FinalPostState,
  type JsonValue,
  type PostInput,
  type PostMode,
  type PostState,
  type PostStatus,
  type PostTarget,
  type PrivacyLevel,
  REELPOST_ERROR_CODES,
  type ReelpostErrorCode,
  type ReelpostErrorData,
  type ReelpostErrorShape,
  type ReelpostRouter,
  type TaskDetail,
  type TaskList,
  type TaskListInput,
  type TaskListItem,
  type TaskStatus,
  type TikTokAccount,
  WAITING_POST_STATES,
  type WaitingPostState,
} from './contract.generated.js';
