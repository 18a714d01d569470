import type { PostInput } from './contract.generated.js';

// tiktok.post takes one input for videos and photo posts (the REST body is one JSON object); these types split it so
// an option of the other kind is a type error where the request is written: a duet, stitch or cover frame on a photo
// post, a description, cover image or music toggle on a video. The server refuses the same mixes
// (OPTION_NOT_APPLICABLE); this only moves the refusal to compile time.

type PhotoOnly = 'description' | 'photoCoverIndex' | 'autoAddMusic';
type VideoOnly = 'disableDuet' | 'disableStitch' | 'videoCoverTimestampMs';

/** A video post: the task's video. */
export type VideoPostInput = Omit<PostInput, 'mediaType' | PhotoOnly> & { mediaType?: 'video' } & { [K in PhotoOnly]?: never };

/** A photo post: the task's images (JPEG/WebP, 1–35), a title of at most 90 characters and a description. */
export type PhotoPostInput = Omit<PostInput, 'mediaType' | VideoOnly> & { mediaType: 'photo' } & { [K in VideoOnly]?: never };

/** Either kind, checked by its `mediaType`. */
export type TypedPostInput = VideoPostInput | PhotoPostInput;

/** Checks a post's options against its kind at compile time; at run time it is the input itself. */
export function postInput(input: TypedPostInput): PostInput {
  return input;
}
