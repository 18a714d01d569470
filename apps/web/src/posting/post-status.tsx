import { isFinalPostStatus, type PostStatus, type ReelpostClient, waitForPublish, WaitForPublishAbortedError, watchPost } from '@reelpost/client';
import { useEffect, useRef, useState } from 'react';
import { apiBaseUrl } from '../api.js';
import { ErrorNotice } from '../errors.js';
import { formatBytes, formatDateTime, humanize } from '../format.js';
import { demoCreatorPostsDraft, isDemoSession } from '../session.js';

export interface PostStatusPanelProps {
  client: ReelpostClient;
  initial: PostStatus;
  /** The video's size, when the task says, for the progress bar. */
  videoSizeBytes: number | null;
  /** Called once the post reaches a final status (the page refreshes the task then). */
  onFinal?: (status: PostStatus) => void;
  /** Try again after a failure or a cancellation; `newAttempt` when the last outcome is unknown (a new idempotency key). */
  onPostAgain?: (newAttempt: boolean) => void;
}

const STATUS_TITLES: Record<PostStatus['status'], string> = {
  SCHEDULED: 'Scheduled',
  PROCESSING: 'Processing',
  SENT_TO_INBOX: 'Waiting for the creator',
  PUBLISHED: 'Published',
  FAILED: 'Not published',
  CANCELLED: 'Cancelled',
};

/** Without a live stream: how often, and how long, a published public post is re-read for its link while TikTok's moderation runs. */
const LINK_POLL_MS = 5000;
const LINK_POLL_FOR_MS = 3 * 60 * 1000;

function progressOf(status: PostStatus, videoSizeBytes: number | null): number | null {
  if (status.status !== 'PROCESSING') return null;
  const bytes = Math.max(status.downloadedBytes ?? 0, status.uploadedBytes ?? 0);
  if (!videoSizeBytes || bytes <= 0) return null;
  return Math.min(1, bytes / videoSizeBytes);
}

/** A post as it moves: live status while TikTok works, the public link, the failure and its hint, cancel. */
export function PostStatusPanel({ client, initial, videoSizeBytes, onFinal, onPostAgain }: PostStatusPanelProps) {
  const [status, setStatus] = useState<PostStatus>(initial);
  const [followError, setFollowError] = useState<unknown>(null);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const [creatorPosting, setCreatorPosting] = useState(false);
  const [creatorError, setCreatorError] = useState<unknown>(null);
  const { taskId, accountId, postId } = status;
  const final = isFinalPostStatus(status);
  const onFinalRef = useRef(onFinal);
  useEffect(() => {
    onFinalRef.current = onFinal;
  });

  useEffect(() => {
    if (final) return;
    const controller = new AbortController();
    waitForPublish(client, {
      taskId,
      accountId,
      signal: controller.signal,
      // A scheduled post may be days away, an inbox draft wait for the creator: the page follows it while open.
      timeoutMs: Number.POSITIVE_INFINITY,
      waitForCreator: true,
      onProgress: (next) => {
        if (!controller.signal.aborted) setStatus(next);
      },
    }).then(
      (done) => {
        if (controller.signal.aborted) return;
        setStatus(done);
        onFinalRef.current?.(done);
      },
      (error: unknown) => {
        if (!(error instanceof WaitForPublishAbortedError) && !controller.signal.aborted) setFollowError(error);
      },
    );
    return () => controller.abort();
  }, [client, taskId, accountId, postId, final]);

  // A public post gets its link only after TikTok's moderation: the live stream says when (then the status is read
  // once); only if the stream fails is the status polled, for a while.
  const awaitingLink = status.status === 'PUBLISHED' && !status.publicUrl;
  useEffect(() => {
    if (!awaitingLink) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setInterval> | undefined;
    const refresh = () =>
      client.tiktok.status.query({ taskId, accountId }).then(
        (next) => {
          if (!controller.signal.aborted) setStatus(next);
        },
        () => undefined,
      );
    const pollForAWhile = () => {
      const started = Date.now();
      timer = setInterval(() => {
        if (Date.now() - started > LINK_POLL_FOR_MS) clearInterval(timer);
        else void refresh();
      }, LINK_POLL_MS);
    };
    void (async () => {
      try {
        for await (const event of watchPost(client, { taskId, accountId }, { signal: controller.signal })) {
          if (event.publicUrl) await refresh();
        }
      } catch {
        if (!controller.signal.aborted) pollForAWhile();
      }
    })();
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [client, taskId, accountId, awaitingLink]);

  const cancel = () => {
    setCancelling(true);
    setCancelError(null);
    client.tiktok.cancel.mutate({ taskId, accountId }).then(
      (cancelled) => {
        setStatus(cancelled);
        setCancelling(false);
        onFinalRef.current?.(cancelled);
      },
      (error: unknown) => {
        setCancelError(error);
        setCancelling(false);
      },
    );
  };

  const postAsCreator = (publishId: string) => {
    setCreatorPosting(true);
    setCreatorError(null);
    demoCreatorPostsDraft(apiBaseUrl(), publishId).then(
      () => setCreatorPosting(false),
      (error: unknown) => {
        setCreatorError(error);
        setCreatorPosting(false);
      },
    );
  };

  const progress = progressOf(status, videoSizeBytes);
  const bytes = Math.max(status.downloadedBytes ?? 0, status.uploadedBytes ?? 0);

  return (
    <section className={`post-status status-${status.status.toLowerCase()}`} aria-labelledby="post-status-heading" data-testid="post-status">
      <h2 id="post-status-heading">TikTok post</h2>
      <div aria-live="polite" aria-atomic="true">
        <p className="status-line">
          <span className={`badge badge-${status.status.toLowerCase()}`} data-testid="post-status-value" data-status={status.status}>
            {STATUS_TITLES[status.status]}
          </span>{' '}
          {status.message}
        </p>
      </div>

      {!final && status.status === 'PROCESSING' && (
        <div className="progress">
          <label htmlFor="post-progress">{status.tiktokStatus ? humanize(status.tiktokStatus) : 'Sending to TikTok'}</label>
          {progress === null ? (
            <progress id="post-progress" aria-describedby="post-progress-note" />
          ) : (
            <progress id="post-progress" value={Math.round(progress * 100)} max={100} aria-describedby="post-progress-note" />
          )}
          <p id="post-progress-note" className="muted small">
            {bytes > 0 ? `${formatBytes(bytes)}${videoSizeBytes ? ` of ${formatBytes(videoSizeBytes)}` : ''} transferred. ` : ''}
            It may take a few minutes for TikTok to process the video and show it on the profile.
          </p>
        </div>
      )}

      {status.status === 'SCHEDULED' && (
        <div>
          <p>
            Goes to TikTok at <strong>{formatDateTime(status.scheduledAt)}</strong>.
          </p>
          <button type="button" onClick={cancel} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel scheduled post'}
          </button>
          {cancelError !== null && <ErrorNotice error={cancelError} title="The post was not cancelled." />}
        </div>
      )}

      {status.status === 'SENT_TO_INBOX' && (
        <div data-testid="inbox-waiting">
          <p className="muted small">This page follows the draft and shows the post when the creator publishes it.</p>
          {isDemoSession() && status.publishId && (
            <>
              <button type="button" onClick={() => postAsCreator(status.publishId!)} disabled={creatorPosting} data-testid="demo-creator-posts">
                {creatorPosting ? 'Posting as the creator…' : 'Demo: post it as the creator in TikTok'}
              </button>
              {creatorError !== null && <ErrorNotice error={creatorError} title="The creator did not post it." />}
            </>
          )}
        </div>
      )}

      {status.status === 'PUBLISHED' && (
        <p>
          {status.publicUrl ? (
            <a href={status.publicUrl} target="_blank" rel="noreferrer" data-testid="public-link">
              {status.privacyLevel === 'SELF_ONLY' ? 'Open the profile on TikTok' : 'Watch it on TikTok'}
            </a>
          ) : (
            <span className="muted">Waiting for TikTok to make the video public…</span>
          )}
        </p>
      )}

      {status.status === 'FAILED' && (
        <div className="notice notice-error" role="alert" data-testid="post-failure">
          <p>{status.message}</p>
          {status.hint && <p className="hint">{status.hint}</p>}
          {status.failReason && <p className="muted small">Reason: {status.failReason}</p>}
        </div>
      )}
      {status.status !== 'FAILED' && status.hint && <p className="hint">{status.hint}</p>}

      {(status.status === 'FAILED' || status.status === 'CANCELLED') && onPostAgain && (
        <button type="button" onClick={() => onPostAgain(status.outcomeUnknown)}>
          {status.outcomeUnknown ? 'I checked the profile: post again anyway' : 'Post again'}
        </button>
      )}

      {followError !== null && <ErrorNotice error={followError} title="Lost track of the post." />}

      <dl className="facts small">
        {status.publishId && (
          <>
            <dt>Publish id</dt>
            <dd>
              <code>{status.publishId}</code>
            </dd>
          </>
        )}
        <dt>Privacy</dt>
        <dd>{humanize(status.privacyLevel)}</dd>
        <dt>Mode</dt>
        <dd>{status.mode === 'inbox' ? 'Draft in the TikTok inbox' : 'Direct post'}</dd>
        {status.lastCheckedAt && (
          <>
            <dt>Last checked</dt>
            <dd>{formatDateTime(status.lastCheckedAt)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
