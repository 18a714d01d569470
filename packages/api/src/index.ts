export { appRouter, createCaller, type AppRouter } from './root.js';
export { type AppDeps, type Clock, systemClock } from './deps.js';
export { AppError, appError, asDatabaseUnavailable, ERROR_CODES, type AppErrorCode } from './errors.js';
export { type Context, describeIssues, type InputIssue, type Session } from './trpc.js';

export {
  type AuthenticationFailure,
  AuthenticationError,
  type Authenticator,
  routeByIssuer,
  type VerifiedIdentity,
} from './auth/authenticator.js';
export { AuthConfigError, type AuthMode, type AuthSettings, type AuthSetup, createAuth } from './auth/config.js';
export {
  bearerTokenFrom,
  type ContextInput,
  type CreateContext,
  createContextFactory,
  sessionFromAuthorization,
} from './auth/context.js';
export {
  createDemoAuth,
  type DemoAuth,
  type DemoToken,
  type DemoTokenRequest,
  DEMO_SUB_PREFIX,
  demoSubFor,
  demoTokenRequestSchema,
} from './auth/demo.js';
export { createHs256Authenticator } from './auth/hs256.js';
export { createOidcAuthenticator, OIDC_ALGORITHMS } from './auth/oidc.js';
export { serviceSessionFor } from './auth/service-session.js';
export {
  createServiceTokenAuthenticator,
  issueServiceToken,
  SERVICE_SCOPE,
  SERVICE_TOKEN_AUDIENCE,
  SERVICE_TOKEN_ISSUER,
} from './auth/service-token.js';
export { findUserBySub, upsertUserBySub } from './auth/users.js';
export { generateFernetKey, TokenCodecError, type TokenCodecErrorReason } from './crypto/fernet.js';
export {
  type ConfiguredKeys,
  createTokenCodec,
  encryptionKeyRing,
  type TokenCodec,
} from './crypto/token-codec.js';
export {
  type ReencryptOptions,
  type ReencryptReport,
  reencryptSealedColumns,
  SEALED_COLUMNS,
} from './crypto/reencrypt.js';
export {
  type AttachedMedia,
  type ContractPostStatus,
  type ExecutionLogEntry,
  type Planning,
  type PlanningStep,
  type TaskDetail,
  type TaskList,
  type TaskListItem,
  type TikTokPostSummary,
  type VideoOutput,
  CONTRACT_POST_STATUSES,
  taskDetailSchema,
  taskListSchema,
} from './tasks/schemas.js';
export { extractVideoOutput } from './tasks/video-output.js';
/** The detail query itself, for the benchmark's floor server and its EXPLAIN check. */
export { selectTaskDetail } from './tasks/service.js';
export { toContractPostStatus } from './posting/view.js';
export { PLANS, planTask } from './tasks/planning.js';
export { defaultSettings, DEFAULT_TIKTOK_SCOPES, type AppSettings } from './settings.js';
export { getAccessToken, type AccessToken } from './accounts/access-token.js';
export {
  type CallbackParams,
  completeTikTokConnect,
  type ConnectOutcome,
  type ConnectStateCheck,
  peekConnectState,
  startTikTokConnect,
} from './accounts/connect.js';
export { refreshExpiringTokens, refreshExpiringTokensJob } from './accounts/refresher.js';
export { type ConnectedAccountInput, type ConnectedProfile, storeConnectedAccount } from './accounts/store.js';
export { type CreatorInfoView, type TikTokAccountView, tiktokAccountSchema } from './accounts/schemas.js';
export {
  FINAL_CONTRACT_STATUSES,
  MAX_TITLE_LENGTH,
  type PostInput,
  postInputSchema,
  type PostStatusView,
  postStatusSchema,
  type PostTargetInput,
  WAITING_CONTRACT_STATUSES,
} from './posting/schemas.js';
export { allJobs } from './jobs/registry.js';
/** The scheduled post's job, for load tests that schedule posts in bulk with SQL. */
export { publishJobKey, publishPostJob } from './posting/job-definitions.js';
export { startJobWorker, installJobQueue, type JobLoopLiveness, type JobWorker } from './jobs/queue.js';
export { instruments, type Instruments, SCOPE as TELEMETRY_SCOPE } from './observability/instruments.js';
export { errorTypeOf } from './observability/jobs.js';
export { recordWebhookDelivery } from './observability/posting.js';
export { receiveTikTokWebhook, type WebhookDelivery, type WebhookResult } from './posting/webhooks.js';
export { startSweepChain, sweepPosts } from './posting/workers.js';
export { checkVideoUrl, createVideoUrlPolicy, type VideoUrlPolicy } from './video/index.js';
export { bucketOf, REQUEST_BUCKETS, type RateLimitCaller, type RequestBucket, type RequestLimiter } from './limits.js';
export { eventIdOf, LIVE_HEARTBEAT_MS } from './live/events.js';
export { PostEventHub, type StreamLimits } from './live/hub.js';
export { type PostEventListener, startPostEventListener } from './live/listener.js';
export { type PostEvent, postEventSchema, type WatchInput, watchInputSchema } from './live/schemas.js';
export { openPostWatch } from './live/watch.js';
