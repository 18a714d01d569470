// What a photo post adds to the post form (TikTok photo posts: title ≤ 90, description ≤ 4,000, a cover image, music
// added by TikTok) and what it leaves out (duet, stitch: videos only). The video form's rules still apply to the rest.
import { type PostInput, postInput } from '@reelpost/client';
import { type PostFormErrors, type PostFormValues, toPostInput } from './rules.js';

export const MAX_PHOTO_TITLE_LENGTH = 90;
export const MAX_DESCRIPTION_LENGTH = 4000;

export interface PhotoFormValues {
  description: string;
  /** Which image (0-based, in the task's order) is the cover. */
  coverIndex: number;
  autoAddMusic: boolean;
}

/** The caption goes to the description (it may be long); the title starts empty: it takes 90 characters. */
export function initialPhotoFormValues(suggestedCaption: string | null | undefined): PhotoFormValues {
  return { description: (suggestedCaption ?? '').slice(0, MAX_DESCRIPTION_LENGTH), coverIndex: 0, autoAddMusic: true };
}

export function validatePhotoFields(values: Pick<PostFormValues, 'title'>, photo: PhotoFormValues): PostFormErrors & { description?: string } {
  const errors: PostFormErrors & { description?: string } = {};
  if (values.title.length > MAX_PHOTO_TITLE_LENGTH) {
    errors.title = `A photo post’s title takes at most ${MAX_PHOTO_TITLE_LENGTH} characters; put the rest in the description.`;
  }
  if (photo.description.length > MAX_DESCRIPTION_LENGTH) {
    errors.description = `The description is ${(photo.description.length - MAX_DESCRIPTION_LENGTH).toLocaleString('en')} characters too long: TikTok allows 4,000.`;
  }
  return errors;
}

/** The tiktok.post input of a photo post: the form's choices without duet and stitch, with the photo options. */
export function toPhotoPostInput(values: PostFormValues, photo: PhotoFormValues, taskId: string, accountId: string): PostInput {
  const { disableDuet: _duet, disableStitch: _stitch, videoCoverTimestampMs: _cover, ...shared } = toPostInput(values, taskId, accountId);
  return postInput({ ...shared, mediaType: 'photo', description: photo.description, photoCoverIndex: photo.coverIndex, autoAddMusic: photo.autoAddMusic });
}
