import type { PostInput } from '@reelpost/client';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, creatorInfo, TASK_ID } from '../../test/fixtures.js';
import { PostForm } from './post-form.js';

const PHOTOS = [{ url: 'http://localhost/demo-media/1.jpg' }, { url: 'http://localhost/demo-media/2.jpg' }, { url: 'http://localhost/demo-media/3.jpg' }];

function renderPhotoForm() {
  const onSubmit = vi.fn<(input: PostInput) => void>();
  render(
    <PostForm taskId={TASK_ID} accountId={ACCOUNT_ID} creator={creatorInfo()} suggestedCaption="Three moods #ai" pending={false} onSubmit={onSubmit} photos={PHOTOS} />,
  );
  return { onSubmit, user: userEvent.setup() };
}

describe('PostForm for a photo post', () => {
  it('shows the images in order with the cover choice, the description with its counter, and no duet or stitch', () => {
    renderPhotoForm();
    expect(screen.getAllByRole('img').map((image) => image.getAttribute('alt'))).toEqual(['Image 1 of 3', 'Image 2 of 3', 'Image 3 of 3']);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Description').value).toBe('Three moods #ai');
    expect(screen.getByText('15 / 4,000')).toBeInTheDocument();
    expect(screen.getByText('0 / 90')).toBeInTheDocument();
    expect(screen.queryByLabelText('Duet')).toBeNull();
    expect(screen.queryByLabelText('Stitch')).toBeNull();
    expect(screen.getByLabelText('Comment')).not.toBeChecked();
    expect(screen.queryByLabelText('Label the video as AI-generated')).toBeNull();
  });

  it('refuses a title over 90 characters before anything is sent', async () => {
    const { onSubmit, user } = renderPhotoForm();
    await user.type(screen.getByLabelText('Title'), 'x'.repeat(91));
    await user.selectOptions(screen.getByLabelText('Who can see this video'), 'SELF_ONLY');
    await user.click(screen.getByRole('button', { name: 'Post to TikTok' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/takes at most 90 characters/)).toBeInTheDocument();
  });

  it('sends a photo post with the chosen cover, the description and the music choice, without duet or stitch', async () => {
    const { onSubmit, user } = renderPhotoForm();
    await user.type(screen.getByLabelText('Title'), 'Three moods');
    await user.click(screen.getByAltText('Image 2 of 3'));
    await user.click(screen.getByLabelText('Let TikTok add music'));
    await user.selectOptions(screen.getByLabelText('Who can see this video'), 'SELF_ONLY');
    await user.click(screen.getByRole('button', { name: 'Post to TikTok' }));
    const input = onSubmit.mock.calls[0]![0];
    expect(input).toMatchObject({ mediaType: 'photo', title: 'Three moods', description: 'Three moods #ai', photoCoverIndex: 1, autoAddMusic: false, privacyLevel: 'SELF_ONLY' });
    expect(input).not.toHaveProperty('disableDuet');
    expect(input).not.toHaveProperty('disableStitch');
  });
});
