import { rest } from '../openapi.js';
import { compiledOutput, protectedProcedure, router } from '../trpc.js';
import {
  taskDetailInputSchema,
  taskDetailSchema,
  taskListInputSchema,
  taskListSchema,
} from './schemas.js';
import { getTaskDetail, listTasks } from './service.js';

export const tasksRouter = router({
  /** The caller's tasks, newest first; pass `nextCursor` back as `cursor` for the next page. */
  list: protectedProcedure
    .meta(rest('GET', '/tasks', 'tasks', 'The caller’s tasks, newest first'))
    .input(taskListInputSchema)
    .output(compiledOutput(taskListSchema))
    .query(({ ctx, input }) => listTasks(ctx, ctx.session, input)),

  /** One task with its planning, execution log, attached media, output and latest TikTok post, in one query. */
  detail: protectedProcedure
    .meta(rest('GET', '/tasks/{taskId}/detail', 'tasks', 'One task with planning, logs, media, output and latest TikTok post'))
    .input(taskDetailInputSchema)
    .output(compiledOutput(taskDetailSchema))
    .query(({ ctx, input }) => getTaskDetail(ctx, ctx.session, input.taskId)),
});
