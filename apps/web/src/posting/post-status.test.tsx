import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, postStatus, stubClient, TASK_ID } from '../../test/fixtures.js';
import { PostStatusPanel } from './post-status.js';

describe('PostStatusPanel', () => {
  it('follows a post while TikTok processes it, with progress, until PUBLISHED with its link', async () => {
    const statuses = [
      postStatus({ status: 'PROCESSING', downloadedBytes: 500 }),
      postStatus({ status: 'PUBLISHED', tiktokStatus: 'PUBLISH_COMPLETE', message: 'Published on TikTok.', publicUrl: 'https://www.tiktok.com/@a/video/7' }),
    ];
    const query = vi.fn(() => Promise.resolve(statuses.shift() ?? postStatus({ status: 'PUBLISHED' })));
    const onFinal = vi.fn();
    render(
      <PostStatusPanel
        client={stubClient({ tiktok: { status: { query } } })}
        initial={postStatus({ status: 'PROCESSING' })}
        videoSizeBytes={1000}
        onFinal={onFinal}
      />,
    );
    expect(await screen.findByText('500 B of 1000 B transferred.', { exact: false })).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('value', '50');
    expect(await screen.findByTestId('public-link', {}, { timeout: 5000 })).toHaveAttribute('href', 'https://www.tiktok.com/@a/video/7');
    expect(screen.getByTestId('post-status-value')).toHaveTextContent('Published');
    expect(onFinal).toHaveBeenCalledTimes(1);
  });

  it('keeps following an inbox draft while it waits for the creator, and shows PUBLISHED with the link when they post', async () => {
    const waiting = postStatus({ status: 'SENT_TO_INBOX', mode: 'inbox', message: 'Waiting for the creator to finish it in TikTok.', hint: 'They post it in TikTok.' });
    const statuses = [waiting, postStatus({ status: 'PUBLISHED', mode: 'inbox', publicUrl: 'https://www.tiktok.com/@a/video/9' })];
    const query = vi.fn(() => Promise.resolve(statuses.shift() ?? postStatus({ status: 'PUBLISHED', mode: 'inbox', publicUrl: 'https://www.tiktok.com/@a/video/9' })));
    const onFinal = vi.fn();
    render(<PostStatusPanel client={stubClient({ tiktok: { status: { query } } })} initial={waiting} videoSizeBytes={null} onFinal={onFinal} />);
    expect(screen.getByTestId('post-status-value')).toHaveTextContent('Waiting for the creator');
    expect(screen.getByTestId('inbox-waiting')).toBeInTheDocument();
    expect(screen.getByText('They post it in TikTok.')).toBeInTheDocument();
    expect(await screen.findByTestId('public-link', {}, { timeout: 5000 })).toHaveAttribute('href', 'https://www.tiktok.com/@a/video/9');
    expect(onFinal).toHaveBeenCalledTimes(1);
  });

  it('shows a failure as its message and hint', () => {
    render(
      <PostStatusPanel
        client={stubClient({})}
        initial={postStatus({ status: 'FAILED', failReason: 'video_pull_failed', message: 'TikTok could not download the video.', hint: 'Check the URL.' })}
        videoSizeBytes={null}
        onPostAgain={vi.fn()}
      />,
    );
    const failure = screen.getByTestId('post-failure');
    expect(failure).toHaveTextContent('TikTok could not download the video.');
    expect(failure).toHaveTextContent('Check the URL.');
    expect(failure).toHaveTextContent('Reason: video_pull_failed');
    expect(screen.getByRole('button', { name: 'Post again' })).toBeInTheDocument();
  });

  it('cancels a scheduled post', async () => {
    const scheduledAt = new Date('2026-12-01T10:00:00Z');
    const cancel = vi.fn(() => Promise.resolve(postStatus({ status: 'CANCELLED', message: 'Cancelled before it was sent to TikTok.', scheduledAt })));
    const status = vi.fn(() => Promise.resolve(postStatus({ status: 'SCHEDULED', scheduledAt })));
    render(
      <PostStatusPanel
        client={stubClient({ tiktok: { status: { query: status }, cancel: { mutate: cancel } } })}
        initial={postStatus({ status: 'SCHEDULED', scheduledAt, message: 'Scheduled: it will be sent to TikTok at the chosen time.' })}
        videoSizeBytes={null}
      />,
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Cancel scheduled post' }));
    expect(await screen.findByText('Cancelled before it was sent to TikTok.')).toBeInTheDocument();
    expect(cancel).toHaveBeenCalledWith({ taskId: TASK_ID, accountId: ACCOUNT_ID });
    expect(screen.queryByRole('button', { name: 'Cancel scheduled post' })).not.toBeInTheDocument();
  });
});

describe('PostStatusPanel with live status', () => {
  it('shows each change as the stream brings it, reading the status once per change and never polling', async () => {
    const processing = postStatus({ status: 'PROCESSING', message: 'TikTok is processing the video.' });
    const published = postStatus({ status: 'PUBLISHED', message: 'Published on TikTok.', publicUrl: 'https://www.tiktok.com/@a/video/11' });
    let current = processing;
    const query = vi.fn(() => Promise.resolve(current));
    let push: ((event: { data: { status: string; seq: number; publicUrl: string | null } }) => void) | undefined;
    const subscribe = vi.fn((_input: unknown, observer: { onData: typeof push }) => {
      push = observer.onData;
      return { unsubscribe: vi.fn() };
    });
    const sleep = vi.spyOn(globalThis, 'setTimeout');
    render(<PostStatusPanel client={stubClient({ tiktok: { status: { query }, watch: { subscribe } } })} initial={processing} videoSizeBytes={null} />);
    await vi.waitFor(() => expect(push).toBeDefined());
    push!({ data: { status: 'PROCESSING', seq: 1, publicUrl: null } });
    current = published;
    push!({ data: { status: 'PUBLISHED', seq: 2, publicUrl: published.publicUrl } });
    expect(await screen.findByTestId('public-link', {}, { timeout: 500 })).toHaveAttribute('href', 'https://www.tiktok.com/@a/video/11');
    expect(screen.getByTestId('post-status-value')).toHaveTextContent('Published');
    // One read to start, at most one per change: no timer-driven polling while the stream is open.
    expect(query.mock.calls.length).toBeLessThanOrEqual(3);
    expect(sleep.mock.calls.filter(([, ms]) => ms === 1000)).toEqual([]);
    sleep.mockRestore();
  });
});
