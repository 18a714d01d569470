import type { TaskDetail } from '@reelpost/client';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../api.js';
import { ErrorNotice } from '../errors.js';
import { formatBytes, formatDateTime, formatDuration, formatTime, humanize } from '../format.js';
import { PostSection, queryKeys } from '../posting/post-section.js';
import { Link } from '../router.js';

const STEP_MARKS: Record<TaskDetail['planning']['steps'][number]['status'], string> = {
  completed: '✓',
  in_progress: '…',
  pending: '○',
  skipped: '–',
};

const ACTIVE_TASK_REFRESH_MS = 3000;

const CONNECT_REASONS: Record<string, string> = {
  access_denied: 'TikTok access was not granted.',
  state_expired: 'The connection took too long (links last 10 minutes). Try again.',
  state_reused: 'That TikTok link was already used. Try again.',
  unknown_state: 'That TikTok link was not started here. Try again.',
  foreign_state: 'That TikTok link was started by someone else; nothing was connected. Connect from your own account.',
  missing_state: 'The link back from TikTok was incomplete. Try again.',
  missing_code: 'TikTok did not send an authorization code. Try again.',
  tiktok_failed: 'TikTok did not complete the connection. Try again in a minute.',
};

/** What the TikTok callback said when it sent the browser back here (`?tiktok=connected` or `?tiktok=error&reason=…`). */
function connectOutcome(search: string): { ok: boolean; message: string } | null {
  const params = new URLSearchParams(search);
  const outcome = params.get('tiktok');
  if (outcome === 'connected') return { ok: true, message: 'TikTok account connected: it is in the list below.' };
  if (outcome === 'error') {
    const reason = params.get('reason') ?? '';
    return { ok: false, message: `The TikTok account was not connected. ${CONNECT_REASONS[reason] ?? 'Try again.'}` };
  }
  return null;
}

export function TaskDetailPage({ taskId, returnTo, search = '' }: { taskId: string; returnTo: string; search?: string }) {
  const client = useApi();
  const [connected] = useState(() => connectOutcome(search));
  useEffect(() => {
    // Shown once: a reload should not announce it again.
    if (connected) window.history.replaceState(null, '', window.location.pathname);
  }, [connected]);
  const task = useQuery({
    queryKey: queryKeys.task(taskId),
    queryFn: () => client.tasks.detail.query({ taskId }),
    // A task still running shows its steps and log as they come.
    refetchInterval: (query) => (query.state.data && ['pending', 'running'].includes(query.state.data.status) ? ACTIVE_TASK_REFRESH_MS : false),
  });

  return (
    <main id="main" className="page">
      <p>
        <Link href="/">← All tasks</Link>
      </p>
      {connected && (
        <p className={`notice ${connected.ok ? 'notice-info' : 'notice-error'}`} role="status" data-testid="connect-outcome">
          {connected.message}
        </p>
      )}
      {task.isPending && <p className="muted">Loading the task…</p>}
      {task.isError && <ErrorNotice error={task.error} title="Could not load this task." />}
      {task.isSuccess && <TaskView task={task.data} returnTo={returnTo} />}
    </main>
  );
}

function TaskView({ task, returnTo }: { task: TaskDetail; returnTo: string }) {
  const video = task.output.video;
  return (
    <>
      <header className="task-header">
        <h1>{task.title ?? humanize(task.type)}</h1>
        <p className="small">
          <span className={`badge badge-task-${task.status}`}>{task.status}</span> {humanize(task.type)} · created{' '}
          {formatDateTime(task.createdAt)}
          {task.completedAt && <> · completed {formatDateTime(task.completedAt)}</>}
        </p>
        {task.errorMessage && (
          <p className="notice notice-error" role="alert">
            {task.errorMessage}
          </p>
        )}
      </header>

      <div className="task-grid">
        <div className="task-main">
          <section className="card" aria-labelledby="video-heading">
            <h2 id="video-heading">Video</h2>
            {video ? (
              <>
                <video
                  className="video-preview"
                  controls
                  preload="metadata"
                  src={video.url}
                  poster={video.thumbnailUrl ?? undefined}
                  aria-label="Preview of the task’s video"
                  data-testid="video-preview"
                />
                <p className="muted small">
                  {formatDuration(video.durationSeconds)} · {formatBytes(video.sizeBytes)}
                  {video.mediaType ? ` · ${video.mediaType}` : ''}
                </p>
              </>
            ) : (
              <p className="muted">No video {task.status === 'completed' ? 'was produced' : 'yet'}.</p>
            )}
          </section>

          <PostSection task={task} returnTo={returnTo} />
        </div>

        <div className="task-side">
          <section className="card" aria-labelledby="plan-heading">
            <h2 id="plan-heading">Planning</h2>
            {task.planning.steps.length === 0 ? (
              <p className="muted">No steps.</p>
            ) : (
              <ol className="steps">
                {task.planning.steps.map((step) => (
                  <li key={step.key} className={`step step-${step.status}${step.failed ? ' step-failed' : ''}`}>
                    <span className="step-mark" aria-hidden="true">
                      {step.failed ? '✕' : STEP_MARKS[step.status]}
                    </span>
                    <span className="step-title">{step.title}</span>
                    <span className="muted small">{step.failed ? 'failed here' : humanize(step.status)}</span>
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section className="card" aria-labelledby="log-heading">
            <h2 id="log-heading">Execution log</h2>
            {task.executionLogs.length === 0 ? (
              <p className="muted">Nothing logged.</p>
            ) : (
              <ol className="log">
                {task.executionLogs.map((entry, index) => (
                  <li key={index} className={`log-${entry.level}`}>
                    <span className="muted small">{formatTime(entry.timestamp)}</span>{' '}
                    {entry.agent && <strong>{entry.agent}: </strong>}
                    {entry.message}
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section className="card" aria-labelledby="media-heading">
            <h2 id="media-heading">Attached media</h2>
            {task.attachedMedia.length === 0 ? (
              <p className="muted">No media attached.</p>
            ) : (
              <ul className="media">
                {task.attachedMedia.map((media) => (
                  <li key={media.id}>
                    {media.type === 'image' && <img src={media.url} alt={media.name ?? 'attached image'} className="media-thumb" />}
                    <a href={media.url} target="_blank" rel="noreferrer">
                      {media.name ?? media.url}
                    </a>{' '}
                    <span className="muted small">
                      {media.type}
                      {media.mime ? ` · ${media.mime}` : ''}
                      {media.size !== null ? ` · ${formatBytes(media.size)}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
