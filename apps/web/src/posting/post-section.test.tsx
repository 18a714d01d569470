import type { ReelpostClient, TikTokAccount } from '@reelpost/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../api.js';
import { ACCOUNT_ID, apiError, creatorInfo, INSTANCE_ID, postStatus, stubClient, videoTask } from '../../test/fixtures.js';
import { PostSection } from './post-section.js';

function account(overrides: Partial<TikTokAccount> = {}): TikTokAccount {
  return {
    id: ACCOUNT_ID,
    instanceId: INSTANCE_ID,
    openId: 'open-1',
    username: 'reelpost.creator',
    displayName: 'Reelpost Creator',
    avatarUrl: null,
    scopes: ['video.publish'],
    state: 'active',
    isDefault: true,
    connectedAt: new Date(),
    lastUsedAt: null,
    ...overrides,
  };
}

const OTHER_ID = '55555555-5555-4555-8555-555555555555';

function renderSection(client: ReelpostClient, task = videoTask()) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <ApiProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <PostSection task={task} returnTo="/tasks/x" />
      </QueryClientProvider>
    </ApiProvider>,
  );
  return userEvent.setup();
}

const notPosted = () => Promise.reject(apiError('POST_NOT_FOUND', 'This task has not been posted to TikTok with that account.', { httpStatus: 404 }));

describe('PostSection', () => {
  it('preselects the default account and shows the form for it', async () => {
    const creator = vi.fn(({ accountId }: { accountId: string }) =>
      Promise.resolve(creatorInfo(accountId === OTHER_ID ? { accountId, nickname: 'Quiet Studio' } : {})),
    );
    renderSection(
      stubClient({
        tiktok: {
          accounts: { query: () => Promise.resolve([account({ isDefault: false, id: OTHER_ID, displayName: 'Quiet Studio' }), account()]) },
          status: { query: notPosted },
          creatorInfo: { query: creator },
        },
      }),
    );
    expect(await screen.findByRole('radio', { name: /Reelpost Creator/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: /Quiet Studio/ })).not.toBeChecked();
    expect(await screen.findByTestId('creator')).toHaveTextContent('Reelpost Creator');
    expect(creator).toHaveBeenCalledWith({ accountId: ACCOUNT_ID });
  });

  it('stops with TikTok’s message when the creator cannot post now', async () => {
    renderSection(
      stubClient({
        tiktok: {
          accounts: { query: () => Promise.resolve([account()]) },
          status: { query: notPosted },
          creatorInfo: {
            query: () =>
              Promise.reject(
                apiError('CREATOR_CANNOT_POST', 'This creator has reached TikTok’s daily post limit.', { hint: 'Try again tomorrow.' }),
              ),
          },
        },
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This account cannot post right now.');
    expect(alert).toHaveTextContent('This creator has reached TikTok’s daily post limit.');
    expect(alert).toHaveTextContent('Try again tomorrow.');
    expect(screen.queryByRole('button', { name: 'Post to TikTok' })).not.toBeInTheDocument();
  });

  it('stops when the video is longer than the creator may post', async () => {
    renderSection(
      stubClient({
        tiktok: {
          accounts: { query: () => Promise.resolve([account()]) },
          status: { query: notPosted },
          creatorInfo: { query: () => Promise.resolve(creatorInfo({ maxVideoPostDurationSec: 3 })) },
        },
      }),
    );
    expect(await screen.findByTestId('post-blocked')).toHaveTextContent('This video is 4 s long, and Reelpost Creator can post videos of at most 3 s.');
    expect(screen.queryByRole('button', { name: 'Post to TikTok' })).not.toBeInTheDocument();
  });

  it('shows an API error as its message and hint, never as JSON, and offers what TikTok offers now', async () => {
    const post = vi.fn(() =>
      Promise.reject(
        apiError('PRIVACY_LEVEL_NOT_ALLOWED', 'This creator cannot post with privacy PUBLIC_TO_EVERYONE right now; offered: SELF_ONLY.', {
          hint: 'Choose one of the offered privacy levels.',
          details: { offered: ['SELF_ONLY'] },
        }),
      ),
    );
    const user = renderSection(
      stubClient({
        tiktok: {
          accounts: { query: () => Promise.resolve([account()]) },
          status: { query: notPosted },
          creatorInfo: { query: () => Promise.resolve(creatorInfo()) },
          post: { mutate: post },
        },
      }),
    );
    await user.selectOptions(await screen.findByLabelText('Who can see this video'), 'PUBLIC_TO_EVERYONE');
    await user.click(screen.getByRole('button', { name: 'Post to TikTok' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The post was not sent.');
    expect(alert).toHaveTextContent('Choose one of the offered privacy levels.');
    expect(alert).toHaveTextContent('TikTok now offers: Only me.');
    expect(alert.textContent).not.toMatch(/[{}"]/);
    await waitFor(() => expect(screen.getByLabelText<HTMLSelectElement>('Who can see this video').value).toBe(''));
  });

  it('shows the earlier post instead of the form when the task was posted with this account', async () => {
    renderSection(
      stubClient({
        tiktok: {
          accounts: { query: () => Promise.resolve([account()]) },
          status: {
            query: () =>
              Promise.resolve(postStatus({ status: 'PUBLISHED', publicUrl: 'https://www.tiktok.com/@reelpost.creator/video/1', message: 'Published on TikTok.' })),
          },
          creatorInfo: { query: () => Promise.resolve(creatorInfo()) },
        },
      }),
    );
    expect(await screen.findByTestId('public-link')).toHaveAttribute('href', 'https://www.tiktok.com/@reelpost.creator/video/1');
    expect(screen.queryByRole('button', { name: 'Post to TikTok' })).not.toBeInTheDocument();
  });

  it('says why there is nothing to post for a task without a video', () => {
    const client = stubClient({ tiktok: { accounts: { query: () => Promise.resolve([]) } } });
    renderSection(client, videoTask({ output: { video: null, photos: [], postable: null, data: null } }));
    expect(screen.getByText('This task produced no video or images, so there is nothing to post to TikTok.')).toBeInTheDocument();
  });

  it('says the task must complete first while it is running', () => {
    renderSection(stubClient({ tiktok: { accounts: { query: () => Promise.resolve([]) } } }), videoTask({ status: 'running' }));
    expect(screen.getByText('This task is running: its video can be posted once it completes.')).toBeInTheDocument();
  });
});
