export { appRouter, createCaller, type AppRouter } from './root.js';
export { type AppDeps, type Clock, systemClock } from './deps.js';
export { AppError, appError, ERROR_CODES, type AppErrorCode } from './errors.js';
export { type Context, describeIssues, type InputIssue, type Session } from './trpc.js';
