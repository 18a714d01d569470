import type { CreatorInfo, PostInput, PrivacyLevel } from '@reelpost/client';
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Avatar } from '../avatar.js';
import {
  BRANDED_CONTENT_POLICY_URL,
  commercialContentLabel,
  disclosureIncomplete,
  initialPostFormValues,
  MAX_TITLE_LENGTH,
  MUSIC_USAGE_URL,
  type PostFormValues,
  PRIVACY_LABELS,
  privacyOptionDisabled,
  titleLength,
  toPostInput,
  validatePostForm,
} from './rules.js';
import { PhotoFields } from './photo-fields.js';
import { initialPhotoFormValues, MAX_PHOTO_TITLE_LENGTH, type PhotoFormValues, toPhotoPostInput, validatePhotoFields } from './photo-rules.js';

export interface PostFormProps {
  taskId: string;
  accountId: string;
  creator: CreatorInfo;
  suggestedCaption: string | null;
  pending: boolean;
  onSubmit: (input: PostInput) => void;
  /** What went wrong with the last attempt, shown next to the button. */
  problem?: ReactNode;
  /** The clock for schedule checks (tests pin it). */
  now?: () => Date;
  /** Given for a photo post: the task's images in order (the form then offers the cover, description and music). */
  photos?: readonly { url: string }[] | undefined;
}

const INTERACTIONS = [
  { key: 'allowComment', label: 'Comment', disabledBy: 'commentDisabled' },
  { key: 'allowDuet', label: 'Duet', disabledBy: 'duetDisabled' },
  { key: 'allowStitch', label: 'Stitch', disabledBy: 'stitchDisabled' },
] as const;

/** A `datetime-local` value for a date, in the browser's time zone. */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The post form of TikTok's Content Sharing Guidelines, for one creator. */
export function PostForm({ taskId, accountId, creator, suggestedCaption, pending, onSubmit, problem, now = () => new Date(), photos }: PostFormProps) {
  const id = useId();
  // A photo post's title takes 90 characters, so the suggested caption goes to its description instead.
  const [draft, setDraft] = useState<PostFormValues>(() => initialPostFormValues(photos ? '' : suggestedCaption));
  const [photoDraft, setPhotoDraft] = useState<PhotoFormValues>(() => initialPhotoFormValues(suggestedCaption));
  const [attempted, setAttempted] = useState(false);
  // After a refused submit, focus moves to the first field that says what is wrong (once it has rendered so).
  const [refusals, setRefusals] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (refusals > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);

  // A privacy level the creator no longer offers (creator info changed) is no choice at all.
  const values: PostFormValues =
    draft.privacyLevel !== '' && !creator.privacyLevelOptions.includes(draft.privacyLevel) ? { ...draft, privacyLevel: '' } : draft;
  const errors = { ...validatePostForm(values, creator, now()), ...(photos ? validatePhotoFields(values, photoDraft) : {}) };
  const maxTitle = photos ? MAX_PHOTO_TITLE_LENGTH : MAX_TITLE_LENGTH;
  const shownErrors = attempted ? errors : { title: errors.title, disclosure: errors.disclosure };
  const update = (change: Partial<PostFormValues>) => setDraft((current) => ({ ...current, ...change }));

  const length = titleLength(values.title);
  const label = commercialContentLabel(values);
  const incomplete = disclosureIncomplete(values);
  const branded = values.disclose && values.brandedContent;
  const fieldId = (name: string) => `${id}-${name}`;
  const errorId = (name: string) => `${id}-${name}-error`;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(errors).length > 0) {
      setRefusals((count) => count + 1);
      return;
    }
    onSubmit(photos ? toPhotoPostInput(values, photoDraft, taskId, accountId) : toPostInput(values, taskId, accountId));
  };

  const submitLabel = values.schedule ? 'Schedule post' : values.mode === 'inbox' ? 'Send to TikTok inbox' : 'Post to TikTok';

  return (
    <form ref={formRef} className="post-form" onSubmit={submit} noValidate aria-labelledby={fieldId('heading')}>
      <h2 id={fieldId('heading')}>{photos ? 'Post photos to TikTok' : 'Post to TikTok'}</h2>
      <div className="creator" data-testid="creator">
        <Avatar url={creator.avatarUrl || null} name={creator.nickname} size={40} />
        <p>
          Posting as <strong>{creator.nickname}</strong> <span className="muted">@{creator.username}</span>
        </p>
      </div>

      <div className="field">
        <label htmlFor={fieldId('title')}>Title</label>
        <textarea
          id={fieldId('title')}
          name="title"
          rows={4}
          value={values.title}
          onChange={(event) => update({ title: event.target.value })}
          aria-invalid={shownErrors.title ? true : undefined}
          aria-describedby={`${fieldId('title-count')}${shownErrors.title ? ` ${errorId('title')}` : ''}`}
          placeholder="Caption with #hashtags and @mentions"
        />
        <p id={fieldId('title-count')} className={length > maxTitle ? 'count over' : 'count'} aria-live="polite">
          {length.toLocaleString('en')} / {maxTitle.toLocaleString('en')}
        </p>
        {shownErrors.title && (
          <p id={errorId('title')} className="field-error">
            {shownErrors.title}
          </p>
        )}
      </div>

      {photos && (
        <PhotoFields
          photos={photos}
          values={photoDraft}
          onChange={(change) => setPhotoDraft((current) => ({ ...current, ...change }))}
          fieldId={fieldId}
          descriptionError={errors.description}
        />
      )}

      <div className="field">
        <label htmlFor={fieldId('privacy')}>Who can see this video</label>
        <select
          id={fieldId('privacy')}
          name="privacyLevel"
          value={values.privacyLevel}
          required
          onChange={(event) => update({ privacyLevel: event.target.value as PrivacyLevel | '' })}
          aria-invalid={shownErrors.privacyLevel ? true : undefined}
          aria-describedby={shownErrors.privacyLevel ? errorId('privacy') : undefined}
        >
          <option value="" disabled>
            Choose who can see it
          </option>
          {creator.privacyLevelOptions.map((level) => (
            <option key={level} value={level} disabled={privacyOptionDisabled(level, values)}>
              {PRIVACY_LABELS[level]}
              {privacyOptionDisabled(level, values) ? ' (not for branded content)' : ''}
            </option>
          ))}
        </select>
        {shownErrors.privacyLevel && (
          <p id={errorId('privacy')} className="field-error">
            {shownErrors.privacyLevel}
          </p>
        )}
      </div>

      <fieldset className="field">
        <legend>Allow viewers to</legend>
        {/* Duet and stitch are for videos; a photo post offers comments only. */}
        {INTERACTIONS.filter(({ key }) => !photos || key === 'allowComment').map(({ key, label: name, disabledBy }) => {
          const disabled = creator[disabledBy];
          return (
            <div key={key} className="check">
              <input
                id={fieldId(key)}
                type="checkbox"
                checked={values[key] && !disabled}
                disabled={disabled}
                onChange={(event) => update({ [key]: event.target.checked })}
                aria-describedby={disabled ? fieldId(`${key}-off`) : undefined}
              />
              <label htmlFor={fieldId(key)}>{name}</label>
              {disabled && (
                <span id={fieldId(`${key}-off`)} className="muted small">
                  Turned off in this account’s TikTok settings
                </span>
              )}
            </div>
          );
        })}
        {shownErrors.interactions && <p className="field-error">{shownErrors.interactions}</p>}
      </fieldset>

      <fieldset className="field">
        <legend>Commercial content disclosure</legend>
        <div className="check">
          <input
            id={fieldId('disclose')}
            type="checkbox"
            role="switch"
            checked={values.disclose}
            onChange={(event) => update({ disclose: event.target.checked })}
            aria-describedby={fieldId('disclose-help')}
          />
          <label htmlFor={fieldId('disclose')}>Disclose commercial content</label>
        </div>
        <p id={fieldId('disclose-help')} className="muted small">
          Turn on to disclose that this video promotes goods or services in exchange for something of value. It could
          promote yourself, a third party, or both.
        </p>
        {values.disclose && (
          <div className="disclosure-options">
            <div className="check">
              <input
                id={fieldId('your-brand')}
                type="checkbox"
                checked={values.yourBrand}
                onChange={(event) => update({ yourBrand: event.target.checked })}
                aria-describedby={fieldId('your-brand-help')}
              />
              <label htmlFor={fieldId('your-brand')}>Your brand</label>
            </div>
            <p id={fieldId('your-brand-help')} className="muted small">
              You are promoting yourself or your own business.
            </p>
            <div className="check">
              <input
                id={fieldId('branded')}
                type="checkbox"
                checked={values.brandedContent}
                disabled={values.privacyLevel === 'SELF_ONLY'}
                onChange={(event) => update({ brandedContent: event.target.checked })}
                aria-describedby={fieldId('branded-help')}
              />
              <label htmlFor={fieldId('branded')}>Branded content</label>
            </div>
            <p id={fieldId('branded-help')} className="muted small">
              {values.privacyLevel === 'SELF_ONLY'
                ? 'Branded content visibility cannot be set to “Only me”: choose who else can see the video first.'
                : 'You are promoting another brand or a third party.'}
            </p>
            {label && (
              <p className="notice notice-info" data-testid="commercial-label">
                Your video will be labeled “{label}”.
              </p>
            )}
            {shownErrors.disclosure && (
              <p id={errorId('disclosure')} className="field-error">
                {shownErrors.disclosure}
              </p>
            )}
          </div>
        )}
      </fieldset>

      <fieldset className="field">
        <legend>When</legend>
        <div className="check">
          <input id={fieldId('now')} type="radio" name={fieldId('when')} checked={!values.schedule} onChange={() => update({ schedule: false })} />
          <label htmlFor={fieldId('now')}>Now</label>
        </div>
        <div className="check">
          <input id={fieldId('later')} type="radio" name={fieldId('when')} checked={values.schedule} onChange={() => update({ schedule: true })} />
          <label htmlFor={fieldId('later')}>Schedule for later</label>
        </div>
        {values.schedule && (
          <div className="field nested">
            <label htmlFor={fieldId('scheduled-at')}>Date and time (your time zone)</label>
            <input
              id={fieldId('scheduled-at')}
              type="datetime-local"
              value={values.scheduledAt}
              min={localInputValue(now())}
              onChange={(event) => update({ scheduledAt: event.target.value })}
              aria-invalid={shownErrors.scheduledAt ? true : undefined}
              aria-describedby={shownErrors.scheduledAt ? errorId('scheduled-at') : undefined}
            />
            {shownErrors.scheduledAt && (
              <p id={errorId('scheduled-at')} className="field-error">
                {shownErrors.scheduledAt}
              </p>
            )}
          </div>
        )}
      </fieldset>

      <fieldset className="field">
        <legend>How</legend>
        <div className="check">
          <input id={fieldId('direct')} type="radio" name={fieldId('mode')} checked={values.mode === 'direct'} onChange={() => update({ mode: 'direct' })} />
          <label htmlFor={fieldId('direct')}>Publish directly to the profile</label>
        </div>
        <div className="check">
          <input id={fieldId('inbox')} type="radio" name={fieldId('mode')} checked={values.mode === 'inbox'} onChange={() => update({ mode: 'inbox' })} />
          <label htmlFor={fieldId('inbox')}>Send to the creator’s TikTok inbox as a draft</label>
        </div>
        {values.mode === 'inbox' && (
          <p className="muted small">The creator gets a notification and finishes the post in the TikTok app.</p>
        )}
      </fieldset>

      {/* TikTok's photo post_info has no AI-generated label (is_aigc is a video field). */}
      {!photos && (
        <div className="check field">
          <input id={fieldId('aigc')} type="checkbox" checked={values.isAigc} onChange={(event) => update({ isAigc: event.target.checked })} />
          <label htmlFor={fieldId('aigc')}>Label the video as AI-generated</label>
        </div>
      )}

      <p className="consent" data-testid="consent">
        {branded ? (
          <>
            By posting, you agree to TikTok’s{' '}
            <a href={BRANDED_CONTENT_POLICY_URL} target="_blank" rel="noreferrer">
              Branded Content Policy
            </a>{' '}
            and{' '}
            <a href={MUSIC_USAGE_URL} target="_blank" rel="noreferrer">
              Music Usage Confirmation
            </a>
            .
          </>
        ) : (
          <>
            By posting, you agree to TikTok’s{' '}
            <a href={MUSIC_USAGE_URL} target="_blank" rel="noreferrer">
              Music Usage Confirmation
            </a>
            .
          </>
        )}
      </p>

      {problem}

      <button type="submit" className="primary" disabled={pending || incomplete} aria-describedby={incomplete ? errorId('disclosure') : undefined}>
        {pending ? 'Sending…' : submitLabel}
      </button>
    </form>
  );
}
