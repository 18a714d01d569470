import { AppError } from '../src/errors.js';

export interface Refusal {
  code: string;
  reason: unknown;
  message: string;
  hint: string | undefined;
  details: Record<string, unknown>;
}

/** The typed error a call ended with; fails the test when it succeeded or threw anything but an AppError. */
export async function refusalOf(call: () => unknown): Promise<Refusal> {
  let outcome: unknown;
  try {
    await call();
  } catch (error) {
    outcome = error;
  }
  if (!(outcome instanceof AppError)) {
    throw new Error(
      `expected an AppError, got ${outcome === undefined ? 'success' : outcome instanceof Error ? outcome.stack : typeof outcome}`,
    );
  }
  const details = outcome.cause.extra.details ?? {};
  return { code: outcome.appCode, reason: details.reason, message: outcome.message, hint: outcome.hint, details };
}
