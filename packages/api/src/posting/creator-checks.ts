import type { CreatorInfoView } from '../accounts/schemas.js';
import { appError } from '../errors.js';

export interface PostRequestFacts {
  privacyLevel: string;
  disableComment: boolean;
  disableDuet: boolean;
  disableStitch: boolean;
  brandContentToggle: boolean;
  /** Seconds, when the task's output says. */
  videoDurationSeconds: number | null;
}

/**
 * What TikTok's creator info allows, checked before TikTok is asked to post: the privacy level is one offered,
 * interactions the creator disabled are not requested, branded content is not private, and the video is not longer
 * than the creator may post.
 */
export function checkAgainstCreatorInfo(request: PostRequestFacts, creator: CreatorInfoView): void {
  if (!(creator.privacyLevelOptions as string[]).includes(request.privacyLevel)) {
    throw appError(
      'PRIVACY_LEVEL_NOT_ALLOWED',
      `This creator cannot post with privacy ${request.privacyLevel} right now; offered: ${creator.privacyLevelOptions.join(', ')}.`,
      {
        hint: 'Choose one of the offered privacy levels (tiktok.creatorInfo lists them).',
        details: { offered: creator.privacyLevelOptions },
      },
    );
  }
  const wanted = [
    ['comments', !request.disableComment, creator.commentDisabled],
    ['duets', !request.disableDuet, creator.duetDisabled],
    ['stitches', !request.disableStitch, creator.stitchDisabled],
  ] as const;
  const refused = wanted.filter(([, on, disabled]) => on && disabled).map(([name]) => name);
  if (refused.length > 0) {
    throw appError('INTERACTION_DISABLED', `This creator has turned off ${refused.join(' and ')} for their posts.`, {
      hint: 'Leave those interactions off (disableComment / disableDuet / disableStitch: true).',
      details: { disabled: refused },
    });
  }
  if (request.brandContentToggle && request.privacyLevel === 'SELF_ONLY') {
    throw appError('BRANDED_CONTENT_PRIVATE', 'Branded content cannot be posted as private (SELF_ONLY).', {
      hint: 'Choose a visible privacy level, or turn branded content off.',
    });
  }
  if (request.videoDurationSeconds !== null && request.videoDurationSeconds > creator.maxVideoPostDurationSec) {
    throw appError(
      'VIDEO_TOO_LONG',
      `The video is ${Math.ceil(request.videoDurationSeconds)} s long; this creator may post at most ${creator.maxVideoPostDurationSec} s.`,
      { hint: 'Trim the video, or post from an account allowed longer videos.', details: { maxSeconds: creator.maxVideoPostDurationSec } },
    );
  }
}
