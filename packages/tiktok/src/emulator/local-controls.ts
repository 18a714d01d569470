import { z } from 'zod';
import { emulatorEndpointSchema, emulatorAppPatchSchema, emulatorUserPatchSchema, faultSchema, FAIL_REASON_VALUES } from './options.js';
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

const failReasonSchema = z.union([z.enum(FAIL_REASON_VALUES), z.string().min(1)]);

/** The controls on an in-process engine; the admin API calls these too, so both behave the same. */
export function createLocalControls(engine: EmulatorEngine): TikTokEmulatorControls & { calls(filter?: CallFilter): Promise<number> } {
  const settle = () => engine.settle();
  return {
    reset: async () => {
      await settle();
      engine.reset();
    },
    advance: (ms) => engine.advanceBy(z.number().nonnegative().parse(ms)),
    now: () => Promise.resolve(engine.clock.now()),
    settle,
    addUser: (user) => Promise.resolve(engine.addUser(user)),
    updateUser: (who, patch) => Promise.resolve(engine.updateUser(who, emulatorUserPatchSchema.parse(patch))),
    users: () => Promise.resolve(engine.listUsers()),
    configureApp: (patch) => Promise.resolve(engine.configureApp(emulatorAppPatchSchema.parse(patch))),
    setAuthorizeBehaviour: (behaviour) => Promise.resolve(engine.setAuthorizeBehaviour(behaviour)),
    issueTokens: (who, scopes) => Promise.resolve(engine.issueTokens(who, scopes)),
    revokeAuthorization: async (who, reason) => {
      engine.endAuthorization(who, reason);
      engine.pump();
      await settle();
    },
    clearInbox: (who) => Promise.resolve(engine.clearInbox(who)),
    failNext: (endpoint, fault) => Promise.resolve(engine.failNext(emulatorEndpointSchema.parse(endpoint), faultSchema.parse(fault))),
    failNextPublish: (reason, count) => Promise.resolve(engine.failNextPublish(failReasonSchema.parse(reason), z.number().int().positive().default(1).parse(count))),
    clearFaults: () => Promise.resolve(engine.clearFaults()),
    calls: (filter) => Promise.resolve(engine.calls(callFilterSchema.parse(filter)).length),
    callLog: (filter) => Promise.resolve(engine.calls(callFilterSchema.parse(filter))),
    pauseProcessing: () => Promise.resolve(engine.pauseProcessing()),
    resumeProcessing: async () => {
      engine.resumeProcessing();
      await settle();
    },
    setProcessingSpeed: (speed) => Promise.resolve(engine.setProcessingSpeed(speed)),
    publishes: () => Promise.resolve(engine.listPublishes()),
    webhookDeliveries: () => Promise.resolve(engine.webhookDeliveries()),
  };
}
