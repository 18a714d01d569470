import { createHash } from 'node:crypto';
import { type TikTokWebhookEvent, TikTokWebhookError, verifyTikTokWebhook } from '@reelpost/tiktok';
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import type { PostingDeps } from './publish.js';
import { movePost } from './post-state.js';
import { applyTikTokUpdate, type TikTokUpdate } from './transitions.js';

export interface WebhookDelivery {
  rawBody: string;
  signatureHeader: string | null | undefined;
}

export type WebhookResult =
  | { accepted: true; outcome: 'applied' | 'duplicate' | 'unmatched' | 'ignored' | 'malformed' | 'wrong_client_key' }
  | { accepted: false; reason: string };

export interface WebhookApp {
  clientSecret: string;
  /** The app's client key: a delivery whose envelope names another app changes nothing. */
  clientKey?: string | undefined;
}

/**
 * TikTok's webhook: signature checked (HMAC of the raw body with the client secret, 5-minute tolerance), each
 * delivery recorded once by the digest of its body — TikTok delivers at least once, so repeats change nothing —
 * then applied to the post it names. Forged or stale deliveries are refused and change nothing. A correctly signed
 * delivery we cannot read, or one naming another app's client key, is accepted without effect (`malformed`,
 * `wrong_client_key`): TikTok retries anything but a 2xx for 72 hours, and a retry would be just as unreadable.
 */
export async function receiveTikTokWebhook(
  deps: PostingDeps & Pick<AppDeps, 'settings'>,
  app: WebhookApp,
  delivery: WebhookDelivery,
): Promise<WebhookResult> {
  let event: TikTokWebhookEvent;
  try {
    event = verifyTikTokWebhook({
      rawBody: delivery.rawBody,
      signatureHeader: delivery.signatureHeader ?? '',
      clientSecret: app.clientSecret,
      now: deps.clock.now().getTime(),
    });
  } catch (error) {
    if (error instanceof TikTokWebhookError && error.code === 'payload_invalid') return { accepted: true, outcome: 'malformed' };
    if (error instanceof TikTokWebhookError) return { accepted: false, reason: error.code };
    throw error;
  }
  if (app.clientKey !== undefined && event.clientKey !== app.clientKey) return { accepted: true, outcome: 'wrong_client_key' };
  const eventKey = createHash('sha256').update(delivery.rawBody).digest('hex');
  const publishId = publishIdOf(event);
  const recorded = await deps.db
    .insertInto('tiktok_webhook_events')
    .values({
      event_key: eventKey,
      event: event.event,
      user_open_id: event.userOpenId,
      publish_id: publishId,
      payload: delivery.rawBody,
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .returning('event_key')
    .executeTakeFirst();
  if (!recorded) return { accepted: true, outcome: 'duplicate' };

  const outcome = await applyWebhookEvent(deps, event);
  await deps.db.updateTable('tiktok_webhook_events').set({ outcome }).where('event_key', '=', eventKey).execute();
  return { accepted: true, outcome };
}

function publishIdOf(event: TikTokWebhookEvent): string | null {
  if (event.event === 'unknown' || event.event === 'authorization.removed') return null;
  // video.upload.failed names the upload by share_id (TikTok's Webhook Events page); for the uploads we start that
  // is the init's publish_id (assumed: TikTok documents no other id for it).
  if (event.event === 'video.upload.failed') return event.content.publishId ?? event.content.shareId ?? null;
  return event.content.publishId ?? null;
}

async function postForEvent(deps: PostingDeps, publishId: string, openId: string): Promise<string | undefined> {
  const known = await deps.db.selectFrom('tiktok_posts').select('id').where('publish_id', '=', publishId).executeTakeFirst();
  if (known) return known.id;
  // An init whose answer was lost did reach TikTok after all: its first event tells us its publish_id. Lost means
  // recorded UNKNOWN, or not yet — its process died after sending it and the sweep has not marked it (an event
  // acknowledged as unmatched is never delivered again). Only when the account has exactly one such post.
  const candidates = await deps.db
    .selectFrom('tiktok_posts as p')
    .innerJoin('instance_tiktok_credentials as a', 'a.id', 'p.account_id')
    .select('p.id')
    .where('a.open_id', '=', openId)
    .where('p.publish_id', 'is', null)
    .where((eb) => eb.or([eb('p.status', '=', 'UNKNOWN'), eb.and([eb('p.status', '=', 'RESERVED'), eb('p.initiated_at', 'is not', null)])]))
    .execute();
  if (candidates.length !== 1) return undefined;
  const adopted = await movePost(
    deps.db,
    candidates[0]!.id,
    'adopt',
    { publish_id: publishId, fail_reason: null, error_code: null, lease_until: null, updated_at: deps.clock.now() },
    { fence: (eb) => eb('publish_id', 'is', null) },
  );
  return adopted?.id;
}

async function postByPublicId(deps: PostingDeps, publicPostId: string, openId: string): Promise<string | undefined> {
  const found = await deps.db
    .selectFrom('tiktok_posts as p')
    .innerJoin('instance_tiktok_credentials as a', 'a.id', 'p.account_id')
    .select('p.id')
    .where('a.open_id', '=', openId)
    .where(sql<boolean>`${publicPostId} = ANY(p.public_post_ids)`)
    .executeTakeFirst();
  return found?.id;
}

async function applyWebhookEvent(deps: PostingDeps, event: TikTokWebhookEvent): Promise<'applied' | 'unmatched' | 'ignored'> {
  if (event.event === 'authorization.removed') {
    const removed = await deps.db
      .updateTable('instance_tiktok_credentials')
      .set({ state: 'needs_reauth', is_default: false, updated_at: deps.clock.now() })
      .where('open_id', '=', event.userOpenId)
      .where('state', '=', 'active')
      .execute();
    return removed.some((result) => result.numUpdatedRows > 0n) ? 'applied' : 'unmatched';
  }
  const update = updateFor(event);
  if (!update) return 'ignored';
  const publishId = publishIdOf(event);
  let postId: string | undefined;
  if (publishId) postId = await postForEvent(deps, publishId, event.userOpenId);
  // A take-down may name the post by its public id alone.
  else if (event.event === 'post.publish.no_longer_publicaly_available') postId = await postByPublicId(deps, event.content.postId, event.userOpenId);
  else return 'ignored';
  if (!postId) return 'unmatched';
  await applyTikTokUpdate(deps.db, deps, postId, update);
  return 'applied';
}

function updateFor(event: TikTokWebhookEvent): TikTokUpdate | null {
  switch (event.event) {
    case 'post.publish.complete':
      return { tiktokStatus: 'PUBLISH_COMPLETE' };
    case 'post.publish.publicly_available':
      return { tiktokStatus: 'PUBLISH_COMPLETE', publicPostIds: [event.content.postId] };
    case 'post.publish.inbox_delivered':
      return { tiktokStatus: 'SEND_TO_USER_INBOX' };
    case 'post.publish.failed':
      return { tiktokStatus: 'FAILED', failReason: event.content.reason };
    case 'video.upload.failed':
      return { tiktokStatus: 'FAILED', failReason: event.content.reason === undefined ? 'upload_failed' : String(event.content.reason) };
    case 'post.publish.no_longer_publicaly_available':
      // It was published (the event may overtake post.publish.complete), and is no longer visible.
      return { tiktokStatus: 'PUBLISH_COMPLETE', publicPostIds: [event.content.postId], takenDown: true };
    case 'authorization.removed':
    case 'unknown':
      return null;
  }
}
