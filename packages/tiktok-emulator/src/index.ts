export { connectTikTokEmulator, EmulatorAdminError } from './admin-client.js';
export type { EmulatorClock } from './clock.js';
export type {
  CallCountFilter,
  CallRecord,
  EmulatorUser,
  IssuedTokens,
  PublishRecord,
  TikTokEmulatorControls,
  WebhookDelivery,
} from './controls.js';
export { ADMIN_PREFIX, CONTROL_NAMES } from './http-admin.js';
export { checkVideo, probeVideo, type MediaFailReason, type VideoContainer, type VideoFacts } from './media.js';
export {
  EMULATOR_SCOPES,
  FAIL_REASON_VALUES,
  type AuthorizeBehaviourInput,
  type EmulatorApp,
  type EmulatorAppInput,
  type EmulatorFault,
  type EmulatorFaultInput,
  type EmulatorUserInput,
  type EmulatorUserPatch,
  type EmulatorWebhookFaultInput,
  type TikTokEmulatorOptions,
} from './options.js';
export { startTikTokEmulator, type TikTokEmulator } from './server.js';
export { EMULATOR_USAGE, runEmulatorCommand } from './command.js';
