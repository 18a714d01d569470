export { appRouter, createCaller, type AppRouter } from './root.js';
export { type AppDeps, type Clock, systemClock } from './deps.js';
export { AppError, appError, ERROR_CODES, type AppErrorCode } from './errors.js';
export type { Context, InputIssue, Session } from './trpc.js';
export {
  type AttachedMedia,
  type ContractPostStatus,
  type ExecutionLogEntry,
  type Planning,
  type PlanningStep,
  type TaskDetail,
  type TaskList,
  type TaskListItem,
  type TikTokPostSummary,
  type VideoOutput,
  CONTRACT_POST_STATUSES,
  taskDetailSchema,
  taskListSchema,
} from './tasks/schemas.js';
export { extractVideoOutput } from './tasks/video-output.js';
export { toContractPostStatus } from './tasks/post-status.js';
export { PLANS, planTask } from './tasks/planning.js';
