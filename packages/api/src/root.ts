import { accountProcedures } from './accounts/router.js';
import { postingProcedures } from './posting/router.js';
import { tasksRouter } from './tasks/router.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  tasks: tasksRouter,
  tiktok: router({ ...accountProcedures, ...postingProcedures }),
});

export type AppRouter = typeof appRouter;

/** In-process calls for internal services and tests: the same procedures, checks and errors as over HTTP. */
export const createCaller = createCallerFactory(appRouter);
