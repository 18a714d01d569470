import type { PostInput } from '@reelpost/client';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, creatorInfo, TASK_ID } from '../../test/fixtures.js';
import { PostForm } from './post-form.js';

const NOW = new Date('2026-11-27T10:00:00');

function renderForm(overrides: Partial<Parameters<typeof PostForm>[0]> = {}) {
  const onSubmit = vi.fn<(input: PostInput) => void>();
  render(
    <PostForm
      taskId={TASK_ID}
      accountId={ACCOUNT_ID}
      creator={creatorInfo()}
      suggestedCaption="Post once #ai"
      pending={false}
      onSubmit={onSubmit}
      now={() => NOW}
      {...overrides}
    />,
  );
  return { onSubmit, user: userEvent.setup() };
}

const privacy = () => screen.getByLabelText<HTMLSelectElement>('Who can see this video');
const postButton = () => screen.getByRole('button', { name: 'Post to TikTok' });

describe('PostForm', () => {
  it('shows who posts: the creator’s nickname and username', () => {
    renderForm();
    expect(screen.getByTestId('creator')).toHaveTextContent('Posting as Reelpost Creator @reelpost.creator');
  });

  it('has no default privacy: the person must choose one of the creator’s options', async () => {
    const { onSubmit, user } = renderForm({ creator: creatorInfo({ privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'] }) });
    expect(privacy().value).toBe('');
    const options = within(privacy()).getAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual(['Choose who can see it', 'Followers', 'Only me']);
    expect(options[0]).toBeDisabled();

    await user.click(postButton());
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText('Choose who can see this video.')).toBeInTheDocument();
    expect(privacy()).toHaveAttribute('aria-invalid', 'true');
    expect(privacy()).toHaveFocus();

    await user.selectOptions(privacy(), 'FOLLOWER_OF_CREATOR');
    await user.click(postButton());
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ privacyLevel: 'FOLLOWER_OF_CREATOR', title: 'Post once #ai' }));
  });

  it('starts comment, duet and stitch off, and sends each one the person turns on', async () => {
    const { onSubmit, user } = renderForm();
    for (const name of ['Comment', 'Duet', 'Stitch']) expect(screen.getByRole('checkbox', { name })).not.toBeChecked();
    await user.selectOptions(privacy(), 'PUBLIC_TO_EVERYONE');
    await user.click(screen.getByRole('checkbox', { name: 'Stitch' }));
    await user.click(postButton());
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ disableComment: true, disableDuet: true, disableStitch: false }));
  });

  it('greys out the interactions the creator turned off, and says why', () => {
    renderForm({ creator: creatorInfo({ commentDisabled: true, stitchDisabled: true }) });
    expect(screen.getByRole('checkbox', { name: 'Comment' })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: 'Duet' })).toBeEnabled();
    expect(screen.getByRole('checkbox', { name: 'Stitch' })).toBeDisabled();
    expect(screen.getAllByText('Turned off in this account’s TikTok settings')).toHaveLength(2);
  });

  it('counts the title live against 2,200 UTF-16 code units and refuses a longer one', async () => {
    const { onSubmit, user } = renderForm({ suggestedCaption: '' });
    const title = screen.getByLabelText('Title');
    await user.type(title, 'hi 😀');
    expect(screen.getByText('5 / 2,200')).toBeInTheDocument();

    await user.clear(title);
    await user.click(title);
    await user.paste('x'.repeat(2201));
    expect(screen.getByText('2,201 / 2,200')).toHaveClass('over');
    expect(screen.getByText('The title is 1 character too long: TikTok allows 2,200.')).toBeInTheDocument();
    await user.selectOptions(privacy(), 'SELF_ONLY');
    await user.click(postButton());
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('needs a choice once the disclosure is on, and shows the label the post will carry', async () => {
    const { onSubmit, user } = renderForm();
    expect(screen.queryByRole('checkbox', { name: 'Your brand' })).not.toBeInTheDocument();
    await user.selectOptions(privacy(), 'PUBLIC_TO_EVERYONE');
    await user.click(screen.getByRole('switch', { name: 'Disclose commercial content' }));

    expect(postButton()).toBeDisabled();
    expect(screen.getByText('You need to indicate if your content promotes yourself, a third party, or both.')).toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Your brand' }));
    expect(screen.getByTestId('commercial-label')).toHaveTextContent('Your video will be labeled “Promotional content”.');
    expect(screen.getByTestId('consent')).toHaveTextContent('By posting, you agree to TikTok’s Music Usage Confirmation.');

    await user.click(screen.getByRole('checkbox', { name: 'Branded content' }));
    expect(screen.getByTestId('commercial-label')).toHaveTextContent('Your video will be labeled “Paid partnership”.');
    expect(screen.getByTestId('consent')).toHaveTextContent(
      'By posting, you agree to TikTok’s Branded Content Policy and Music Usage Confirmation.',
    );

    await user.click(postButton());
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ brandOrganicToggle: true, brandContentToggle: true }));
  });

  it('never lets branded content be private', async () => {
    const { user } = renderForm();
    await user.selectOptions(privacy(), 'SELF_ONLY');
    await user.click(screen.getByRole('switch', { name: 'Disclose commercial content' }));
    expect(screen.getByRole('checkbox', { name: 'Branded content' })).toBeDisabled();
    expect(screen.getByText(/Branded content visibility cannot be set to “Only me”/)).toBeInTheDocument();

    await user.selectOptions(privacy(), 'PUBLIC_TO_EVERYONE');
    await user.click(screen.getByRole('checkbox', { name: 'Branded content' }));
    expect(screen.getByRole('option', { name: 'Only me (not for branded content)' })).toBeDisabled();
  });

  it('puts the consent sentence before the button', () => {
    renderForm();
    const consent = screen.getByTestId('consent');
    expect(consent.compareDocumentPosition(postButton()) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('schedules only for a time in the future', async () => {
    const { onSubmit, user } = renderForm();
    await user.selectOptions(privacy(), 'SELF_ONLY');
    await user.click(screen.getByRole('radio', { name: 'Schedule for later' }));
    const when = screen.getByLabelText('Date and time (your time zone)');

    await user.click(screen.getByRole('button', { name: 'Schedule post' }));
    expect(screen.getByText('Choose the date and time to post at.')).toBeInTheDocument();

    await user.type(when, '2026-11-27T09:00');
    expect(screen.getByText('That time has already passed: choose a time in the future.')).toBeInTheDocument();

    await user.clear(when);
    await user.type(when, '2026-11-28T09:30');
    await user.click(screen.getByRole('button', { name: 'Schedule post' }));
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ scheduledAt: new Date('2026-11-28T09:30') }));
  });

  it('sends to the inbox when asked', async () => {
    const { onSubmit, user } = renderForm();
    await user.selectOptions(privacy(), 'SELF_ONLY');
    await user.click(screen.getByRole('radio', { name: 'Send to the creator’s TikTok inbox as a draft' }));
    await user.click(screen.getByRole('button', { name: 'Send to TikTok inbox' }));
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ mode: 'inbox' }));
  });

  it('forgets a privacy level the creator no longer offers', () => {
    const { rerender } = render(
      <PostForm taskId={TASK_ID} accountId={ACCOUNT_ID} creator={creatorInfo()} suggestedCaption="" pending={false} onSubmit={vi.fn()} />,
    );
    const select = screen.getAllByLabelText<HTMLSelectElement>('Who can see this video')[0]!;
    select.value = 'PUBLIC_TO_EVERYONE';
    rerender(
      <PostForm
        taskId={TASK_ID}
        accountId={ACCOUNT_ID}
        creator={creatorInfo({ privacyLevelOptions: ['SELF_ONLY'] })}
        suggestedCaption=""
        pending={false}
        onSubmit={vi.fn()}
      />,
    );
    expect(screen.getAllByLabelText<HTMLSelectElement>('Who can see this video')[0]!.value).toBe('');
  });
});
