import { type PostInput, type PostStatus, readReelpostError, type TaskDetail } from '@reelpost/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useApi } from '../api.js';
import { ErrorNotice } from '../errors.js';
import { AccountPicker } from './account-picker.js';
import { PostForm } from './post-form.js';
import { PostStatusPanel } from './post-status.js';
import { blockingReason, PRIVACY_LABELS } from './rules.js';

export const queryKeys = {
  task: (taskId: string) => ['task', taskId] as const,
  accounts: (instanceId: string) => ['accounts', instanceId] as const,
  creator: (accountId: string) => ['creator', accountId] as const,
  post: (taskId: string, accountId: string) => ['post', taskId, accountId] as const,
};

/** Creator info is worth keeping a minute: TikTok allows 20 calls a minute per account, and every post spends one. */
const CREATOR_INFO_STALE_MS = 60_000;

/** Errors of a post that mean creator info changed since the form was drawn: read it again. */
const CREATOR_CHANGED = new Set(['PRIVACY_LEVEL_NOT_ALLOWED', 'INTERACTION_DISABLED', 'VIDEO_TOO_LONG', 'CREATOR_CANNOT_POST']);

/** Posting a task: which account, what TikTok allows it, the form, and the post once there is one. */
export function PostSection({ task, returnTo }: { task: TaskDetail; returnTo: string }) {
  const client = useApi();
  const accounts = useQuery({
    queryKey: queryKeys.accounts(task.instanceId),
    queryFn: () => client.tiktok.accounts.query({ instanceId: task.instanceId }),
  });
  const [chosen, setChosen] = useState<string | null>(null);

  if (task.status !== 'completed') {
    return (
      <section className="card" aria-labelledby="post-heading">
        <h2 id="post-heading">Post to TikTok</h2>
        <p className="notice notice-info">This task is {task.status}: its video can be posted once it completes.</p>
      </section>
    );
  }
  if (!task.output.postable) {
    return (
      <section className="card" aria-labelledby="post-heading">
        <h2 id="post-heading">Post to TikTok</h2>
        <p className="notice notice-info">This task produced no video or images, so there is nothing to post to TikTok.</p>
      </section>
    );
  }

  const list = accounts.data ?? [];
  const fallback = list.find((account) => account.isDefault) ?? list[0];
  const accountId = chosen && list.some((account) => account.id === chosen) ? chosen : (fallback?.id ?? null);
  const account = list.find((candidate) => candidate.id === accountId) ?? null;

  return (
    <section className="card post-section" aria-label="Posting">
      {accounts.isPending && <p className="muted">Loading TikTok accounts…</p>}
      {accounts.isError && <ErrorNotice error={accounts.error} title="Could not load the TikTok accounts." />}
      {accounts.isSuccess && (
        <AccountPicker accounts={list} value={accountId} onChange={setChosen} instanceId={task.instanceId} returnTo={returnTo} />
      )}
      {account && account.state !== 'active' && (
        <p className="notice notice-error" role="alert">
          TikTok no longer accepts this account’s authorization. Connect it again to post with it.
        </p>
      )}
      {account && account.state === 'active' && <AccountPosting key={account.id} task={task} accountId={account.id} />}
    </section>
  );
}

function AccountPosting({ task, accountId }: { task: TaskDetail; accountId: string }) {
  const client = useApi();
  const queryClient = useQueryClient();
  const video = task.output.video;
  const [postedNow, setPostedNow] = useState<PostStatus | null>(null);
  const [postingAgain, setPostingAgain] = useState<{ newKey: boolean } | null>(null);

  const existing = useQuery({
    queryKey: queryKeys.post(task.id, accountId),
    queryFn: async () => {
      try {
        return await client.tiktok.status.query({ taskId: task.id, accountId });
      } catch (error) {
        if (readReelpostError(error)?.code === 'POST_NOT_FOUND') return null;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  const creator = useQuery({
    queryKey: queryKeys.creator(accountId),
    queryFn: () => client.tiktok.creatorInfo.query({ accountId }),
    staleTime: CREATOR_INFO_STALE_MS,
    retry: false,
  });

  const post = useMutation({
    mutationFn: (input: PostInput) => client.tiktok.post.mutate(input),
    onSuccess: (status) => {
      setPostedNow(status);
      setPostingAgain(null);
      void queryClient.invalidateQueries({ queryKey: queryKeys.task(task.id) });
    },
    onError: (error) => {
      const problem = readReelpostError(error);
      if (!problem || !CREATOR_CHANGED.has(problem.code)) return;
      const offered = problem.details?.offered;
      if (problem.code === 'PRIVACY_LEVEL_NOT_ALLOWED' && Array.isArray(offered) && creator.data) {
        // The server said what is offered now; no need to spend another creator-info call on it.
        queryClient.setQueryData(queryKeys.creator(accountId), { ...creator.data, privacyLevelOptions: offered as typeof creator.data.privacyLevelOptions });
      } else {
        void queryClient.invalidateQueries({ queryKey: queryKeys.creator(accountId) });
      }
    },
  });

  const onFinal = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.task(task.id) });
  }, [queryClient, task.id]);

  const current = postedNow ?? existing.data ?? null;
  const showStatus = current !== null && postingAgain === null;

  if (existing.isPending) return <p className="muted">Checking for an earlier post…</p>;
  if (existing.isError) return <ErrorNotice error={existing.error} title="Could not read this task’s post." />;

  if (showStatus) {
    return (
      <PostStatusPanel
        key={current.postId + current.updatedAt.getTime()}
        client={client}
        initial={current}
        videoSizeBytes={video?.sizeBytes ?? null}
        onFinal={onFinal}
        onPostAgain={(newKey) => {
          post.reset();
          setPostedNow(null);
          setPostingAgain({ newKey });
        }}
      />
    );
  }

  if (creator.isPending) return <p className="muted">Asking TikTok what this account may post…</p>;
  if (creator.isError) {
    const problem = readReelpostError(creator.error);
    const cannotPost = problem?.code === 'CREATOR_CANNOT_POST' || problem?.code === 'TIKTOK_ERROR';
    return (
      <ErrorNotice error={creator.error} title={cannotPost ? 'This account cannot post right now.' : 'Could not ask TikTok about this account.'}>
        {!cannotPost && (
          <button type="button" onClick={() => void creator.refetch()}>
            Try again
          </button>
        )}
      </ErrorNotice>
    );
  }

  const blocked = blockingReason(creator.data, video?.durationSeconds ?? null);
  if (blocked) {
    return (
      <div className="notice notice-error" role="alert" data-testid="post-blocked">
        <p className="notice-title">This video cannot be posted with {creator.data.nickname}.</p>
        <p>{blocked}</p>
      </div>
    );
  }

  return (
    <>
      <PostForm
        taskId={task.id}
        accountId={accountId}
        creator={creator.data}
        suggestedCaption={video?.suggestedCaption ?? task.title}
        pending={post.isPending}
        photos={task.output.postable === 'photo' ? task.output.photos : undefined}
        onSubmit={(input) => post.mutate(postingAgain?.newKey ? { ...input, idempotencyKey: crypto.randomUUID() } : input)}
        problem={post.isError ? <PostProblem error={post.error} /> : null}
      />
    </>
  );
}

function PostProblem({ error }: { error: unknown }) {
  const problem = readReelpostError(error);
  const offered = problem?.code === 'PRIVACY_LEVEL_NOT_ALLOWED' ? problem.details?.offered : null;
  const labels = Array.isArray(offered) ? offered.map((level) => PRIVACY_LABELS[level as keyof typeof PRIVACY_LABELS] ?? String(level)) : [];
  return (
    <ErrorNotice error={error} title="The post was not sent.">
      {labels.length > 0 && <p>TikTok now offers: {labels.join(', ')}. Choose again above.</p>}
    </ErrorNotice>
  );
}
