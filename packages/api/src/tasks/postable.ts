import { extractPhotoOutputs } from './photo-output.js';
import type { AttachedMedia, PhotoOutput, POSTABLE_KINDS, VideoOutput } from './schemas.js';
import type { JsonValue } from '@reelpost/db';
import { withFiniteNumbers } from './loose-json.js';
import { extractVideoOutput } from './video-output.js';

export type PostableKind = (typeof POSTABLE_KINDS)[number];

/** A video wins when a task made both (its images are then usually stills of it); images alone make a photo post. */
export function postableKind(video: VideoOutput | null, photos: readonly PhotoOutput[]): PostableKind | null {
  if (video) return 'video';
  return photos.length > 0 ? 'photo' : null;
}

/** tasks.detail's `output`: the video, the images and what the task can be posted as, from one read of output_data. */
export function taskOutputOf(outputData: JsonValue, media: readonly AttachedMedia[]) {
  const video = extractVideoOutput(outputData);
  const photos = extractPhotoOutputs(outputData, media);
  return { video, photos, postable: postableKind(video, photos), data: withFiniteNumbers(outputData) };
}
