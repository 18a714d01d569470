import { readReelpostError } from '@reelpost/client';
import type { ReactNode } from 'react';

export interface Problem {
  code: string | null;
  message: string;
  hint: string | null;
  details: Record<string, unknown> | null;
}

/** Any failure as a person should read it: the API's message and hint, never its JSON. */
export function describeProblem(error: unknown): Problem {
  const problem = readReelpostError(error);
  if (problem) {
    const issues = problem.issues?.length ? problem.issues.map((issue) => `${issue.path || 'input'}: ${issue.message}`).join('; ') : null;
    const tiktok = problem.tiktok ? `TikTok said ${problem.tiktok.code}${problem.tiktok.logId ? ` (log id ${problem.tiktok.logId})` : ''}.` : null;
    return {
      code: problem.code,
      message: problem.message,
      hint: [problem.hint, problem.code === 'INVALID_INPUT' && issues ? issues : null, tiktok].filter(Boolean).join(' ') || null,
      details: problem.details,
    };
  }
  if (error instanceof Error && error.name === 'TRPCClientError') {
    return { code: null, message: 'Could not reach the Reelpost server.', hint: 'Check your connection and that the server is running, then try again.', details: null };
  }
  if (error instanceof Error && 'hint' in error) {
    return { code: null, message: error.message, hint: typeof error.hint === 'string' ? error.hint : null, details: null };
  }
  return {
    code: null,
    message: error instanceof Error ? error.message : 'Something went wrong.',
    hint: null,
    details: null,
  };
}

export function ErrorNotice({ error, title, children }: { error: unknown; title?: string; children?: ReactNode }) {
  const problem = describeProblem(error);
  return (
    <div className="notice notice-error" role="alert">
      {title && <p className="notice-title">{title}</p>}
      <p>{problem.message}</p>
      {problem.hint && <p className="hint">{problem.hint}</p>}
      {children}
    </div>
  );
}
