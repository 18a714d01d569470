import { type AppErrorCode, appError } from '../errors.js';
import type { Session } from '../trpc.js';

/**
 * The one rule for every object a caller names: unknown → 404 with the object's own code, someone else's → 403.
 * Callers load the row together with its owner's id (in the same query) and pass it here.
 */
export function requireOwned<T extends { owner_id: string }>(
  row: T | undefined,
  session: Session,
  notFound: { code: AppErrorCode; what: string },
): T {
  if (!row) {
    throw appError(notFound.code, `No ${notFound.what} with that id.`, {
      hint: `Check the ${notFound.what} id; it may have been deleted.`,
    });
  }
  if (row.owner_id !== session.userId) {
    throw appError('FORBIDDEN', `This ${notFound.what} belongs to another user.`, {
      hint: 'Sign in as its owner, or ask them to share it.',
    });
  }
  return row;
}
