// The video URL guard: decides whether a task's video URL may be handed to TikTok (PULL_FROM_URL) or read by this
// server (FILE_UPLOAD chunks), and reads it safely. See README.md beside this file.
export { type AddressClass, type AddressVerdict, classifyAddress } from './address.js';
export { checkVideoUrl, describeUrl, MAX_VIDEO_URL_LENGTH, type VideoUrlRefusal } from './check.js';
export {
  type AllowedPrefix,
  createVideoUrlPolicy,
  TIKTOK_MAX_VIDEO_BYTES,
  type VideoUrlPolicy,
  type VideoUrlPolicyInput,
} from './policy.js';
export { type AcceptedMedia, probeMediaUrl, probeVideoUrl, VIDEO_CONTENT_TYPES, type VideoContentType, type VideoProbe } from './probe.js';
export { type ByteRange, openVideoRange, type VideoRange } from './range.js';
export { type ResolveHost, systemResolver, type VideoUrlGuardOptions } from './request.js';
