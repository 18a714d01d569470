import { accountJobs } from '../accounts/refresher.js';
import type { AppDeps } from '../deps.js';
import { postingJobs } from '../posting/workers.js';
import type { AnyJobRegistration } from './queue.js';

/** Every background job the API defines, bound to its dependencies: what a worker process runs. */
export function allJobs(deps: AppDeps): AnyJobRegistration[] {
  return [...accountJobs(deps), ...postingJobs(deps)];
}
