import type { CreatorInfo, PostStatus, ReelpostClient, TaskDetail } from '@reelpost/client';
import { TRPCClientError } from '@trpc/client';

export const TASK_ID = '11111111-1111-4111-8111-111111111111';
export const ACCOUNT_ID = '22222222-2222-4222-8222-222222222222';
export const INSTANCE_ID = '33333333-3333-4333-8333-333333333333';

export function creatorInfo(overrides: Partial<CreatorInfo> = {}): CreatorInfo {
  return {
    accountId: ACCOUNT_ID,
    nickname: 'Reelpost Creator',
    username: 'reelpost.creator',
    avatarUrl: '',
    privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: false,
    maxVideoPostDurationSec: 600,
    ...overrides,
  };
}

export function videoTask(overrides: Partial<TaskDetail> = {}): TaskDetail {
  const now = new Date('2026-11-27T10:00:00Z');
  return {
    id: TASK_ID,
    instanceId: INSTANCE_ID,
    type: 'video_generation',
    status: 'completed',
    title: 'Product teaser',
    errorMessage: null,
    createdAt: now,
    updatedAt: now,
    startedAt: now,
    completedAt: now,
    input: null,
    planning: { plan: 'video_generation', steps: [] },
    executionLogs: [],
    attachedMedia: [],
    output: {
      video: {
        url: 'http://localhost/demo-media/v.mp4',
        mediaType: 'video/mp4',
        suggestedCaption: 'Post once, reach everyone. #ai',
        durationSeconds: 4,
        sizeBytes: 1000,
        thumbnailUrl: null,
      },
      photos: [],
      postable: 'video',
      data: null,
    },
    tiktok: null,
    ...overrides,
  };
}

export function postStatus(overrides: Partial<PostStatus> = {}): PostStatus {
  const now = new Date('2026-11-27T10:00:00Z');
  return {
    postId: '44444444-4444-4444-8444-444444444444',
    taskId: TASK_ID,
    accountId: ACCOUNT_ID,
    status: 'PROCESSING',
    tiktokStatus: 'PROCESSING_DOWNLOAD',
    publishId: 'v_pub_url~v2-1.1',
    publicUrl: null,
    failReason: null,
    message: 'TikTok is processing the video; it may take a few minutes to appear on the profile.',
    hint: null,
    outcomeUnknown: false,
    mode: 'direct',
    mediaType: 'VIDEO',
    privacyLevel: 'PUBLIC_TO_EVERYONE',
    sandboxForcedPrivate: false,
    uploadedBytes: null,
    downloadedBytes: null,
    scheduledAt: null,
    lastCheckedAt: null,
    takenDownAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** An error as the API sends it, read back the way the client reads it. */
export function apiError(appCode: string, message: string, extra: { hint?: string; httpStatus?: number; details?: Record<string, unknown> } = {}) {
  return TRPCClientError.from({
    error: {
      message,
      code: -32600,
      data: {
        code: 'BAD_REQUEST',
        httpStatus: extra.httpStatus ?? 400,
        path: null,
        appCode,
        hint: extra.hint ?? null,
        tiktok: null,
        retryAfterMs: null,
        details: extra.details ?? null,
        issues: null,
      },
    },
  });
}

type Stub = {
  tasks?: Record<string, unknown>;
  tiktok?: Record<string, unknown>;
};

/** A client with only the procedures a test gives it. */
export function stubClient(stub: Stub): ReelpostClient {
  return stub as unknown as ReelpostClient;
}
