import type { TikTokEndpoint, TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { IssuedTokens } from './authorization.js';
import type { CallRecord, PublishRecord } from './engine.js';
import type { EmulatorUser } from './users.js';
import type {
  AuthorizeBehaviourInput,
  EmulatorApp,
  EmulatorAppInput,
  EmulatorFaultInput,
  EmulatorUserInput,
  EmulatorUserPatch,
  EmulatorWebhookFaultInput,
} from './options.js';
import type { WebhookDelivery } from './webhook-sender.js';

export type { CallRecord, EmulatorUser, IssuedTokens, PublishRecord, WebhookDelivery };

export interface CallCountFilter {
  endpoint?: TikTokEndpoint;
  openId?: string;
  /** Counted by a digest of the token; the token itself is never stored or sent to the admin API. */
  accessToken?: string;
}

/**
 * Everything a test, the demo server or a load test can do to the emulator. The in-process handle and the HTTP
 * admin client (`connectTikTokEmulator`) implement the same interface, so a separate process drives it the same way.
 */
export interface TikTokEmulatorControls {
  /** Back to the configured users and app; tokens, posts, faults, counters and webhooks are forgotten. */
  reset: () => Promise<void>;
  /** Moves the emulator's time forward and lets everything that became due happen (processing, webhooks). */
  advance: (ms: number) => Promise<void>;
  /** The emulator's current time in ms since the epoch. */
  now: () => Promise<number>;
  /** Waits until no download or webhook delivery is under way. */
  settle: () => Promise<void>;

  addUser: (user: EmulatorUserInput) => Promise<EmulatorUser>;
  updateUser: (openIdOrUsername: string, patch: EmulatorUserPatch) => Promise<EmulatorUser>;
  users: () => Promise<EmulatorUser[]>;
  configureApp: (patch: Partial<EmulatorAppInput>) => Promise<EmulatorApp>;
  /** Who consents at the authorize page next, whether they refuse, and which scopes they grant. */
  setAuthorizeBehaviour: (behaviour: AuthorizeBehaviourInput) => Promise<void>;
  /** A connected account without the browser: the token pair a code exchange would return. */
  issueTokens: (openIdOrUsername: string, scopes?: readonly string[]) => Promise<IssuedTokens>;
  /** The person removes the app in TikTok: tokens stop working, processing posts fail auth_removed. */
  revokeAuthorization: (openIdOrUsername: string, reason?: number) => Promise<void>;
  /** The person discards every draft waiting in their inbox (dropInboxDraft for each); answers how many. */
  clearInbox: (openIdOrUsername: string) => Promise<number>;
  /**
   * The creator finishes a draft (status SEND_TO_USER_INBOX) in the TikTok app: status PUBLISH_COMPLETE, webhook
   * post.publish.complete, and for a public post (`privacyLevel`, PUBLIC_TO_EVERYONE when offered) the post id in
   * publicaly_available_post_id with post.publish.publicly_available once moderation is done (advance the clock).
   */
  publishInboxDraft: (publishId: string, options?: { privacyLevel?: TikTokPrivacyLevel }) => Promise<PublishRecord>;
  /** The creator discards a draft: the status stays SEND_TO_USER_INBOX and no webhook is sent (assumed). */
  dropInboxDraft: (publishId: string) => Promise<PublishRecord>;
  /** A published public post is taken down or made private: post.publish.no_longer_publicaly_available with its post_id. */
  takeDownPost: (publishId: string) => Promise<PublishRecord>;

  /** The next calls to `endpoint` fail as described instead of doing their work (or after, for *-after-commit). */
  failNext: (endpoint: TikTokEndpoint, fault: EmulatorFaultInput) => Promise<void>;
  /** The next `count` publishes accepted (by init) fail processing with this fail_reason. */
  failNextPublish: (reason: string, count?: number) => Promise<void>;
  /** The next `count` publishes accepted (by init) take `extraMs` longer to process (before the speed divides it). */
  slowNextPublish: (extraMs: number, count?: number) => Promise<void>;
  /** The next webhook events are delivered twice (or more), or late. */
  failNextWebhook: (fault: EmulatorWebhookFaultInput) => Promise<void>;
  clearFaults: () => Promise<void>;

  /** How many calls matched (e.g. "exactly one init"). */
  calls: (filter?: CallCountFilter) => Promise<number>;
  callLog: (filter?: CallCountFilter) => Promise<CallRecord[]>;

  pauseProcessing: () => Promise<void>;
  resumeProcessing: () => Promise<void>;
  /** 10 makes processing and moderation ten times faster. */
  setProcessingSpeed: (speed: number) => Promise<void>;

  publishes: () => Promise<PublishRecord[]>;
  webhookDeliveries: () => Promise<WebhookDelivery[]>;
}
