import { z } from 'zod';
import { privacyLevelSchema } from '@reelpost/tiktok';
import { emulatorEndpointSchema, emulatorAppPatchSchema, emulatorUserPatchSchema, faultSchema, FAIL_REASON_VALUES, webhookFaultSchema } from './options.js';
import type { CallFilter, EmulatorEngine } from './engine.js';
import type { TikTokEmulatorControls } from './controls.js';

const callFilterSchema = z
  .object({
    endpoint: emulatorEndpointSchema.optional(),
    openId: z.string().optional(),
    accessToken: z.string().optional(),
    tokenFingerprint: z.string().optional(),
  })
  .default({});

const publishIdSchema = z.string().min(1);
const publishDraftOptionsSchema = z.object({ privacyLevel: privacyLevelSchema.optional() }).strict().default({});

const failReasonSchema = z.union([z.enum(FAIL_REASON_VALUES), z.string().min(1)]);

/** Runs synchronous work as a promise, so that what it throws becomes a rejection (as over HTTP). */
function later<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

/** The controls on an in-process engine; the admin API calls these too, so both behave the same. */
export function createLocalControls(engine: EmulatorEngine): TikTokEmulatorControls & { calls(filter?: CallFilter): Promise<number> } {
  const settle = () => engine.settle();
  return {
    reset: async () => {
      await settle();
      engine.reset();
    },
    advance: (ms) => later(() => z.number().nonnegative().parse(ms)).then((step) => engine.advanceBy(step)),
    now: () => later(() => engine.clock.now()),
    settle,
    addUser: (user) => later(() => engine.addUser(user)),
    updateUser: (who, patch) => later(() => engine.updateUser(who, emulatorUserPatchSchema.parse(patch))),
    users: () => later(() => engine.listUsers()),
    configureApp: (patch) => later(() => engine.configureApp(emulatorAppPatchSchema.parse(patch))),
    setAuthorizeBehaviour: (behaviour) => later(() => engine.auth.setAuthorizeBehaviour(behaviour)),
    issueTokens: (who, scopes) => later(() => engine.auth.issueTokens(who, scopes)),
    revokeAuthorization: async (who, reason) => {
      engine.endAuthorization(who, reason);
      engine.pump();
      await settle();
    },
    clearInbox: (who) => later(() => engine.clearInbox(who)),
    publishInboxDraft: async (publishId, options) => {
      const published = engine.publishInboxDraft(publishIdSchema.parse(publishId), publishDraftOptionsSchema.parse(options));
      await settle();
      return published;
    },
    dropInboxDraft: (publishId) => later(() => engine.publishing.dropInboxDraft(publishIdSchema.parse(publishId))),
    takeDownPost: async (publishId) => {
      const taken = engine.publishing.takeDownPost(publishIdSchema.parse(publishId));
      engine.pump();
      await settle();
      return taken;
    },
    failNext: (endpoint, fault) => later(() => engine.failNext(emulatorEndpointSchema.parse(endpoint), faultSchema.parse(fault))),
    failNextPublish: (reason, count) => later(() => engine.publishing.failNextPublish(failReasonSchema.parse(reason), z.number().int().positive().default(1).parse(count))),
    slowNextPublish: (extraMs, count) =>
      later(() => engine.publishing.slowNextPublish(z.number().int().positive().parse(extraMs), z.number().int().positive().default(1).parse(count))),
    failNextWebhook: (fault) => later(() => engine.webhooks.failNext(webhookFaultSchema.parse(fault))),
    clearFaults: () => later(() => engine.clearFaults()),
    calls: (filter) => later(() => engine.calls(callFilterSchema.parse(filter)).length),
    callLog: (filter) => later(() => engine.calls(callFilterSchema.parse(filter))),
    pauseProcessing: () => later(() => engine.publishing.pause()),
    resumeProcessing: async () => {
      engine.publishing.resume();
      await settle();
    },
    setProcessingSpeed: (speed) => later(() => engine.publishing.setSpeed(speed)),
    publishes: () => later(() => engine.publishing.list()),
    webhookDeliveries: () => later(() => engine.webhookDeliveries()),
  };
}
