import type { TikTokPostStatusValue, TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { VideoFacts } from './media.js';

/** Where an inbox draft stands in the creator's app: waiting, posted by the creator, or discarded by them. */
export type DraftState = 'pending' | 'posted' | 'dropped';

/** Photo posts (content/init): the images in order and the cover. */
export interface PhotoSet {
  images: string[];
  coverIndex: number;
}

/**
 * What the init's source_info asked for, by source: a video TikTok pulls from a URL, photos it pulls from URLs (such
 * a publish has no video), or a video sent in chunks to the upload URL.
 */
export type PublishSource =
  | { source: 'PULL_FROM_URL'; videoUrl: string; photo?: undefined }
  | { source: 'PULL_FROM_URL'; photo: PhotoSet; videoUrl?: undefined }
  | {
      source: 'FILE_UPLOAD';
      videoSize: number;
      chunkSize: number;
      totalChunkCount: number;
      /** Given once the publish is registered. */
      uploadUrl?: string;
      videoUrl?: undefined;
      photo?: undefined;
    };

/** What happens to a publish after its init: its bytes, processing, result, moderation and draft. */
export interface PublishProgress {
  publishId: string;
  openId: string;
  mode: 'direct' | 'inbox';
  privacyLevel: TikTokPrivacyLevel | undefined;
  postInfo: Record<string, unknown> | undefined;
  status: TikTokPostStatusValue;
  failReason: string | undefined;
  uploadedBytes: number;
  downloadedBytes: number;
  postIds: string[];
  createdAt: number;
  video: VideoFacts | undefined;
  /** When processing ends (virtual time); unset while bytes are still arriving. */
  readyAt: number | undefined;
  /** When moderation makes a public post visible. */
  postIdAt: number | undefined;
  /** The result decided when the bytes were complete, applied at readyAt. */
  outcome: string | undefined;
  /**
   * Faults queued for the next publish (failNextPublish, slowNextPublish), taken when this one was accepted: "next" is
   * the order of inits, not of downloads finishing, which race when two pulls run at once.
   */
  injected: { failReason: string | undefined; extraProcessingMs: number };
  /** Inbox drafts only: what the creator did with it in the TikTok app. */
  draft: DraftState | undefined;
  /** The post was taken down (or made private) after it was published. */
  takenDown: boolean;
}

export type PublishRecord = PublishProgress & PublishSource;

/** An accepted init, before any byte arrived: downloading a pull, waiting for an upload's chunks. */
export function newPublish(
  init: Pick<PublishProgress, 'publishId' | 'openId' | 'mode' | 'privacyLevel' | 'postInfo' | 'createdAt'>,
  source: PublishSource,
): PublishRecord {
  return {
    ...init,
    ...source,
    status: source.source === 'PULL_FROM_URL' ? 'PROCESSING_DOWNLOAD' : 'PROCESSING_UPLOAD',
    failReason: undefined,
    uploadedBytes: 0,
    downloadedBytes: 0,
    postIds: [],
    video: undefined,
    readyAt: undefined,
    postIdAt: undefined,
    outcome: undefined,
    injected: { failReason: undefined, extraProcessingMs: 0 },
    draft: init.mode === 'inbox' ? 'pending' : undefined,
    takenDown: false,
  };
}
