// What each TikTok error code and fail_reason means to a person, and what to do about it. Covers every code and
// fail_reason in TikTok's Error Handling, OAuth error, Direct Post, Upload and Get Post Status pages, the ones
// open-source schedulers meet in practice, and this client's own codes. Unknown codes get an honest default that
// keeps the raw code.

/** What a caller should do next; lets the API layer choose between refresh, reconnect, retry and giving up. */
export type TikTokErrorAction =
  | 'retry'
  | 'wait'
  | 'refresh_token'
  | 'reauthorize'
  | 'fix_request'
  | 'change_video'
  | 'try_tomorrow'
  | 'reconcile'
  | 'contact_support'
  | 'none';

export interface TikTokErrorDescription {
  /** The code as given (unknown codes are kept as they came). */
  code: string;
  known: boolean;
  /** One sentence a person can read. */
  message: string;
  /** What to do about it. */
  hint: string;
  retryable: boolean;
  action: TikTokErrorAction;
}

type Entry = Omit<TikTokErrorDescription, 'code' | 'known'>;

const ERRORS: Record<string, Entry> = {
  // Generic v2 codes (Error Handling page).
  access_token_invalid: {
    message: 'TikTok did not accept the access token: it is missing, expired or revoked.',
    hint: 'Refresh the access token with the stored refresh token and try again; if the refresh fails, ask the person to reconnect their TikTok account.',
    retryable: false,
    action: 'refresh_token',
  },
  internal_error: {
    message: 'TikTok had an internal error.',
    hint: 'Try again in a little while; if it keeps happening, give TikTok support the log_id.',
    retryable: true,
    action: 'retry',
  },
  invalid_file_upload: {
    message: "The uploaded file does not meet TikTok's upload rules.",
    hint: 'Check chunk sizes (5–64 MB, the remainder in the last chunk), Content-Range, Content-Length and Content-Type, then upload again from the first missing chunk.',
    retryable: false,
    action: 'fix_request',
  },
  invalid_params: {
    message: 'TikTok rejected one or more fields of the request.',
    hint: "TikTok's message names the field; correct it (title at most 2,200 characters, privacy level from creator info, chunk counts that match the file) and send again.",
    retryable: false,
    action: 'fix_request',
  },
  rate_limit_exceeded: {
    message: 'Too many requests were sent to TikTok for this account in the last minute.',
    hint: 'Wait until the one-minute window has passed (retryAfterMs says how long), then try again.',
    retryable: true,
    action: 'wait',
  },
  scope_not_authorized: {
    message: 'The TikTok account did not grant this app the permission this action needs.',
    hint: 'Ask the person to reconnect TikTok and approve the requested permissions (video.publish for direct posts, video.upload for drafts).',
    retryable: false,
    action: 'reauthorize',
  },
  scope_permission_missed: {
    message: 'The access token lacks a permission needed for some of the requested fields.',
    hint: 'Request only fields covered by the granted scopes, or ask the person to reconnect and approve the missing scope (e.g. user.info.profile for username).',
    retryable: false,
    action: 'reauthorize',
  },
  // Content Posting (Direct Post, Upload, creator info).
  spam_risk_too_many_posts: {
    message: 'This TikTok account has reached its daily limit of posts made through apps.',
    hint: 'Try again tomorrow; TikTok does not publish the exact cap (about 15 posts a day per account is commonly reported).',
    retryable: false,
    action: 'try_tomorrow',
  },
  spam_risk_user_banned_from_posting: {
    message: 'TikTok has blocked this account from posting.',
    hint: 'The person has to resolve this in the TikTok app; posting through any app fails until then.',
    retryable: false,
    action: 'none',
  },
  reached_active_user_cap: {
    message: "This app has reached TikTok's daily limit of accounts that may post through it.",
    hint: 'Try again tomorrow. Unaudited apps allow 5 posting accounts per 24 hours; passing TikTok’s audit lifts this.',
    retryable: false,
    action: 'try_tomorrow',
  },
  unaudited_client_can_only_post_to_private_accounts: {
    message: 'This app has not passed TikTok’s audit yet, so it may only post privately.',
    hint: 'Choose “Only me” (SELF_ONLY) and make sure the TikTok account itself is private, or complete TikTok’s audit to post publicly.',
    retryable: false,
    action: 'fix_request',
  },
  url_ownership_unverified: {
    message: 'TikTok will not pull the video: its URL is not under a domain or URL prefix verified for this app.',
    hint: 'Serve the video from a URL prefix verified in the TikTok developer portal, or upload the file instead of sending a URL.',
    retryable: false,
    action: 'fix_request',
  },
  privacy_level_option_mismatch: {
    message: 'The chosen privacy level is not one this creator can use right now.',
    hint: 'Query creator info again and let the person choose one of its privacy_level_options.',
    retryable: false,
    action: 'fix_request',
  },
  spam_risk_too_many_pending_share: {
    message: 'Five drafts are already waiting in this account’s TikTok inbox.',
    hint: 'Ask the person to post or delete the waiting drafts in the TikTok app, then send this one again.',
    retryable: false,
    action: 'none',
  },
  app_version_check_failed: {
    message: 'The TikTok app on the person’s phone is too old to receive drafts.',
    hint: 'Ask them to update the TikTok app, or post directly instead of sending a draft.',
    retryable: false,
    action: 'none',
  },
  // The posting pages say not to retry these two: repeating the same request only repeats the flag.
  spam_risk_text: {
    message: 'TikTok flagged the caption as a spam risk.',
    hint: 'Do not retry this request: TikTok asks that it is not sent again. Write a different caption (fewer hashtags, mentions and links) before posting anything new.',
    retryable: false,
    action: 'fix_request',
  },
  spam_risk: {
    message: 'TikTok flagged this post as a spam risk.',
    hint: 'Do not retry this request: TikTok asks that it is not sent again. Wait a while before posting again, and vary captions between posts.',
    retryable: false,
    action: 'none',
  },
  // Get Post Status: a publish_id TikTok does not know, and one that belongs to another user (both HTTP 400).
  invalid_publish_id: {
    message: 'TikTok has no post with this publish_id.',
    hint: 'Check the publish_id. If it comes from an init whose answer was lost, that init never created a post at TikTok, so posting again does not duplicate anything.',
    retryable: false,
    action: 'none',
  },
  token_not_authorized_for_specified_publish_id: {
    message: 'This publish_id belongs to a different TikTok account than the access token.',
    hint: 'Ask for the status with the access token of the account that made the post.',
    retryable: false,
    action: 'fix_request',
  },
  // OAuth (Login Kit error handling page).
  access_denied: {
    message: 'The person declined to connect their TikTok account.',
    hint: 'Ask them to connect again and approve the requested permissions.',
    retryable: false,
    action: 'reauthorize',
  },
  invalid_request: {
    message: 'TikTok rejected the OAuth request as malformed (a missing parameter or a PKCE code verifier that does not match).',
    hint: 'Start the connection again; the code verifier sent with the code must be the one used for the authorize URL.',
    retryable: false,
    action: 'reauthorize',
  },
  invalid_client: {
    message: "TikTok did not accept this app's client key or client secret.",
    hint: 'Check the configured TikTok client key and secret against the developer portal.',
    retryable: false,
    action: 'contact_support',
  },
  invalid_grant: {
    message: 'The authorization code or refresh token is invalid, expired, already used or revoked.',
    hint: 'Ask the person to reconnect their TikTok account; keep only the newest refresh token TikTok returns.',
    retryable: false,
    action: 'reauthorize',
  },
  unauthorized_client: {
    message: 'This app is not allowed to use this OAuth flow.',
    hint: 'Check the Login Kit configuration of the app in the TikTok developer portal.',
    retryable: false,
    action: 'contact_support',
  },
  unsupported_grant_type: {
    message: 'TikTok does not support the OAuth grant type that was sent.',
    hint: 'This is a bug in the client; use authorization_code or refresh_token.',
    retryable: false,
    action: 'contact_support',
  },
  invalid_scope: {
    message: 'The requested scopes are unknown or not approved for this app.',
    hint: 'Request only scopes the app is approved for in the developer portal (user.info.basic, video.publish, video.upload, …).',
    retryable: false,
    action: 'fix_request',
  },
  unsupported_response_type: {
    message: 'TikTok does not support the requested OAuth response type.',
    hint: 'Use response_type=code.',
    retryable: false,
    action: 'contact_support',
  },
  server_error: {
    message: 'TikTok’s authorization server had an error.',
    hint: 'Try connecting again in a little while.',
    retryable: true,
    action: 'retry',
  },
  temporarily_unavailable: {
    message: 'TikTok’s authorization server is temporarily unavailable.',
    hint: 'Try connecting again in a little while.',
    retryable: true,
    action: 'retry',
  },
  // Chunk uploads (Media Transfer Guide), named by the HTTP status of the answer, whatever its body.
  upload_url_expired: {
    message: 'The upload URL has expired (TikTok keeps one for an hour).',
    hint: 'A new init is needed: start the post again to get a new upload URL, then send the file from its first byte.',
    retryable: false,
    action: 'fix_request',
  },
  upload_not_found: {
    message: 'TikTok does not know this upload URL.',
    hint: 'A new init is needed: use the upload_url of a successful init, then send the file from its first byte.',
    retryable: false,
    action: 'fix_request',
  },
  upload_range_mismatch: {
    message: 'The chunk does not continue what TikTok has received of this file (416 Range Not Satisfiable).',
    hint: 'Resume from the byte TikTok reports (its Content-Range, or uploaded_bytes in the post status), sending chunks in order.',
    retryable: false,
    action: 'reconcile',
  },
  upload_rejected: {
    message: 'TikTok refused the chunk upload.',
    hint: "Check the chunk's headers (Content-Type, Content-Length, Content-Range) against the init's chunk plan; the HTTP status says more.",
    retryable: false,
    action: 'fix_request',
  },
  // This client's own codes.
  bad_response: {
    message: 'TikTok answered with a response this client could not understand.',
    hint: 'Usually a passing problem at TikTok or a proxy; try again. After an init, check whether the post was created before sending it again.',
    retryable: true,
    action: 'retry',
  },
  network_error: {
    message: 'Could not reach TikTok.',
    hint: 'Check the network and try again; after an init, check whether the post was created before sending it again.',
    retryable: true,
    action: 'retry',
  },
  timeout: {
    message: 'TikTok did not answer in time.',
    hint: 'Try again; after an init, check whether the post was created before sending it again.',
    retryable: true,
    action: 'retry',
  },
  rate_limited: {
    message: "Holding back to stay under TikTok's rate limit for this account.",
    hint: 'Try again after retryAfterMs.',
    retryable: true,
    action: 'wait',
  },
  aborted: {
    message: 'The request to TikTok was cancelled.',
    hint: 'Nothing to fix; send it again if it is still wanted.',
    retryable: false,
    action: 'none',
  },
  state_mismatch: {
    message: 'The TikTok callback does not belong to this connection attempt (its state does not match).',
    hint: 'Start connecting again from the same browser; do not reuse an old callback link.',
    retryable: false,
    action: 'reauthorize',
  },
  invalid_callback: {
    message: 'The TikTok callback carries neither an authorization code nor an error.',
    hint: 'Start connecting again; the callback URL must be the one TikTok redirected to, with its query string.',
    retryable: false,
    action: 'reauthorize',
  },
  invalid_input: {
    message: 'The request was not sent because its input breaks TikTok’s rules.',
    hint: 'The message says which rule; correct the input and try again.',
    retryable: false,
    action: 'fix_request',
  },
  outcome_unknown: {
    message: 'The request may have reached TikTok, but no answer came back.',
    hint: 'Check with TikTok (status fetch, or the account’s posts) whether it took effect before sending it again.',
    retryable: true,
    action: 'reconcile',
  },
};

// The posting pages spell it in the singular.
ERRORS.invalid_param = ERRORS.invalid_params!;

const FAIL_REASONS: Record<string, Entry> = {
  file_format_check_failed: {
    message: 'TikTok could not read the video: the file is not a supported format.',
    hint: 'Send an MP4 (recommended), WebM or MOV file encoded with H.264, H.265, VP8 or VP9.',
    retryable: false,
    action: 'change_video',
  },
  duration_check_failed: {
    message: 'The video is longer than this creator may post.',
    hint: 'Trim it to at most the max_video_post_duration_sec from creator info and post again.',
    retryable: false,
    action: 'change_video',
  },
  frame_rate_check_failed: {
    message: 'The video’s frame rate is outside the 23–60 fps TikTok accepts.',
    hint: 'Re-encode it at 24, 25, 30 or 60 fps and post again.',
    retryable: false,
    action: 'change_video',
  },
  picture_size_check_failed: {
    message: 'The video’s width or height is outside the 360–4096 pixels TikTok accepts.',
    hint: 'Re-encode it so each side is between 360 and 4096 pixels (1080×1920 is typical) and post again.',
    retryable: false,
    action: 'change_video',
  },
  internal: {
    message: 'TikTok failed while processing the video.',
    hint: 'Post it again later; if it keeps failing, give TikTok support the publish_id.',
    retryable: true,
    action: 'retry',
  },
  video_pull_failed: {
    message: 'TikTok could not download the video from its URL.',
    hint: 'Make sure the URL is public, under a verified prefix, answers quickly with the whole file and stays reachable for an hour; then post again.',
    retryable: true,
    action: 'retry',
  },
  photo_pull_failed: {
    message: 'TikTok could not download the photo from its URL.',
    hint: 'Make sure the URL is public, under a verified prefix and stays reachable; then post again.',
    retryable: true,
    action: 'retry',
  },
  publish_cancelled: {
    message: 'The post was cancelled before it was published.',
    hint: 'Post it again if it is still wanted.',
    retryable: false,
    action: 'none',
  },
  auth_removed: {
    message: 'The person removed this app’s access to their TikTok account while the post was processing.',
    hint: 'Ask them to reconnect TikTok, then post again.',
    retryable: false,
    action: 'reauthorize',
  },
  spam_risk_too_many_posts: ERRORS.spam_risk_too_many_posts!,
  spam_risk_user_banned_from_posting: ERRORS.spam_risk_user_banned_from_posting!,
  spam_risk_text: ERRORS.spam_risk_text!,
  spam_risk: ERRORS.spam_risk!,
};

/** Every code this package knows, for tests and documentation. */
export const KNOWN_ERROR_CODES: readonly string[] = Object.keys(ERRORS);
export const KNOWN_FAIL_REASONS: readonly string[] = Object.keys(FAIL_REASONS);

export function describeTikTokError(code: string, httpStatus?: number): TikTokErrorDescription {
  const entry = Object.hasOwn(ERRORS, code) ? ERRORS[code] : undefined;
  if (entry) return { code, known: true, ...entry };
  const serverSide = httpStatus !== undefined && httpStatus >= 500;
  return {
    code,
    known: false,
    message: `TikTok returned an error this app does not know yet (${code}).`,
    hint: serverSide
      ? 'It came with a server error status, so trying again later may help; if it persists, give TikTok support the log_id.'
      : "Look the code up in TikTok's developer documentation; give TikTok support the log_id if it is unclear.",
    retryable: serverSide,
    action: serverSide ? 'retry' : 'contact_support',
  };
}

export function describeFailReason(reason: string): TikTokErrorDescription {
  const entry = Object.hasOwn(FAIL_REASONS, reason) ? FAIL_REASONS[reason] : undefined;
  if (entry) return { code: reason, known: true, ...entry };
  return {
    code: reason,
    known: false,
    message: `TikTok could not publish the video for a reason this app does not know yet (${reason}).`,
    hint: "Look the reason up in TikTok's developer documentation; give TikTok support the publish_id if it is unclear.",
    retryable: false,
    action: 'contact_support',
  };
}
