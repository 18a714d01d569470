import { MEDIA_KINDS, TASK_STATUSES } from '@reelpost/db';
import { z } from 'zod';
import { inputText } from '../input-text.js';
import { jsonValueSchema } from '../json-value.js';
import { decodeTaskCursor } from './cursor.js';

// The contract of tasks.list and tasks.detail. Every type the feature uses is inferred from here; the OpenAPI
// document is generated from these schemas, so field names are the API's names.

export const taskStatusSchema = z.enum(TASK_STATUSES);

/** The post statuses a caller sees (design.md); the database's RESERVED and UNKNOWN are shown as PROCESSING. */
export const CONTRACT_POST_STATUSES = [
  'SCHEDULED',
  'PROCESSING',
  'SENT_TO_INBOX',
  'PUBLISHED',
  'FAILED',
  'CANCELLED',
] as const;
export const contractPostStatusSchema = z.enum(CONTRACT_POST_STATUSES);
export type ContractPostStatus = z.infer<typeof contractPostStatusSchema>;
const CONTRACT_POST_STATUS_SET: ReadonlySet<string> = new Set(CONTRACT_POST_STATUSES);
export const isContractPostStatus = (value: string): value is ContractPostStatus => CONTRACT_POST_STATUS_SET.has(value);

// ---- input ----

export const TASK_LIST_DEFAULT_LIMIT = 20;
export const TASK_LIST_MAX_LIMIT = 100;

export const taskCursorSchema = inputText()
  .max(200)
  .transform((value, ctx) => {
    const cursor = decodeTaskCursor(value);
    if (!cursor) {
      ctx.addIssue({
        code: 'custom',
        message: 'Not a cursor from tasks.list: pass nextCursor back exactly as it was returned.',
      });
      return z.NEVER;
    }
    return cursor;
  });

export const taskListInputSchema = z.object({
  instanceId: z.uuid().optional(),
  /** `nextCursor` of the previous page; omit (or null) for the first page. */
  cursor: taskCursorSchema.nullish(),
  limit: z.number().int().min(1).max(TASK_LIST_MAX_LIMIT).default(TASK_LIST_DEFAULT_LIMIT),
});
export type TaskListInput = z.infer<typeof taskListInputSchema>;

export const taskDetailInputSchema = z.object({ taskId: z.uuid() });

// ---- output ----

export const LOG_LEVELS = ['debug', 'info', 'success', 'warning', 'error'] as const;
export const logLevelSchema = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof logLevelSchema>;

export const executionLogEntrySchema = z.object({
  /** Who wrote the line (`agent`, `agent_name` or `name`), inherited by nested sub-steps; null when nobody says. */
  agent: z.string().nullable(),
  message: z.string(),
  level: logLevelSchema,
  /** null when the step carried no timestamp we can read. */
  timestamp: z.date().nullable(),
});
export type ExecutionLogEntry = z.infer<typeof executionLogEntrySchema>;

export const PLANNING_STEP_STATUSES = ['completed', 'in_progress', 'pending', 'skipped'] as const;
export const planningStepStatusSchema = z.enum(PLANNING_STEP_STATUSES);
export type PlanningStepStatus = z.infer<typeof planningStepStatusSchema>;

export const planningStepSchema = z.object({
  /** Stable id of the step within its plan, e.g. `script`. */
  key: z.string(),
  title: z.string(),
  status: planningStepStatusSchema,
  /** True on the one step where a failed task stopped (its status is then `skipped`: it will not run now). */
  failed: z.boolean(),
});
export type PlanningStep = z.infer<typeof planningStepSchema>;

export const planningSchema = z.object({
  /** Which plan of docs/api-tasks.md was used: the task's type, or `default` for types without one. */
  plan: z.string(),
  steps: z.array(planningStepSchema),
});
export type Planning = z.infer<typeof planningSchema>;

export const mediaKindSchema = z.enum(MEDIA_KINDS);
export type MediaKindName = z.infer<typeof mediaKindSchema>;

export const attachedMediaSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  /** By MIME type, then file extension, then the stored kind, else `other`. */
  type: mediaKindSchema,
  mime: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  /** The stored name, else the last segment of the URL's path. */
  name: z.string().nullable(),
});
export type AttachedMedia = z.infer<typeof attachedMediaSchema>;

/** What a task produced, read from `output_data` by `extractVideoOutput`; the posting path uses the same function. */
export const videoOutputSchema = z.object({
  /** An http(s) URL. */
  url: z.string(),
  /** The MIME type or kind the output declared (`video/mp4`, `video`), when it declared one. */
  mediaType: z.string().nullable(),
  suggestedCaption: z.string().nullable(),
  durationSeconds: z.number().nonnegative().nullable(),
  sizeBytes: z.number().int().nonnegative().nullable(),
  thumbnailUrl: z.string().nullable(),
});
export type VideoOutput = z.infer<typeof videoOutputSchema>;

/** One image a task produced, in order; `mimeType` as declared, or implied by the URL's extension. */
export const photoOutputSchema = z.object({
  url: z.string(),
  mimeType: z.string().nullable(),
});
export type PhotoOutput = z.infer<typeof photoOutputSchema>;

/** What `tiktok.post` posts for this task by default: its video, else its images as a photo post, else nothing. */
export const POSTABLE_KINDS = ['video', 'photo'] as const;

export const taskOutputSchema = z.object({
  /** The task's video, or null when it produced none (yet). */
  video: videoOutputSchema.nullable(),
  /** The task's images in order (a photo post takes the JPEG and WebP ones, 1–35); empty when none. */
  photos: z.array(photoOutputSchema),
  /** How the task can be posted: `video` when it made a video, `photo` when it made images only, else null. */
  postable: z.enum(POSTABLE_KINDS).nullable(),
  /** `output_data` as stored, for outputs that are not a video. */
  data: jsonValueSchema.nullable(),
});

export const tiktokPostSummarySchema = z.object({
  /** Null only for a task posted before Reelpost, known from its tiktok_* columns alone. */
  postId: z.uuid().nullable(),
  accountId: z.uuid().nullable(),
  status: contractPostStatusSchema,
  publishId: z.string().nullable(),
  publicUrl: z.string().nullable(),
  failReason: z.string().nullable(),
  scheduledAt: z.date().nullable(),
  updatedAt: z.date(),
});
export type TikTokPostSummary = z.infer<typeof tiktokPostSummarySchema>;

const taskFields = {
  id: z.uuid(),
  instanceId: z.uuid(),
  type: z.string(),
  status: taskStatusSchema,
  title: z.string().nullable(),
  errorMessage: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  startedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
};

export const taskDetailSchema = z.object({
  ...taskFields,
  input: jsonValueSchema.nullable(),
  planning: planningSchema,
  executionLogs: z.array(executionLogEntrySchema),
  attachedMedia: z.array(attachedMediaSchema),
  output: taskOutputSchema,
  /** The task's latest post, or null when it was never posted. */
  tiktok: tiktokPostSummarySchema.nullable(),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const taskListItemSchema = z.object({
  ...taskFields,
  hasVideo: z.boolean(),
  /** The latest post's status, or null when the task was never posted. */
  tiktokStatus: contractPostStatusSchema.nullable(),
});
export type TaskListItem = z.infer<typeof taskListItemSchema>;

export const taskListSchema = z.object({
  items: z.array(taskListItemSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type TaskList = z.infer<typeof taskListSchema>;
