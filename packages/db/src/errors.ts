// Turns a connection or query failure into one line a person can act on, without echoing secrets from the URL.

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there; is Postgres running, and are host and port in DATABASE_URL right?',
  ENOTFOUND: 'the host name in DATABASE_URL does not resolve',
  EAI_AGAIN: 'the host name in DATABASE_URL could not be resolved right now',
  ETIMEDOUT: 'the server did not answer in time; check the host, port and firewall',
  ECONNRESET: 'the server closed the connection',
  '28P01': 'the password in DATABASE_URL was refused',
  '28000': 'the server refused this user; check the user in DATABASE_URL and pg_hba.conf',
  '3D000': 'the database named in DATABASE_URL does not exist; create it first',
  '42501': 'the user in DATABASE_URL lacks the privileges needed',
  '57P03': 'the server is starting up or shutting down; try again in a moment',
};

function firstError(error: unknown): ErrorLike {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const like = error as ErrorLike;
  // AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) carries the useful code on its members.
  if (Array.isArray(like.errors) && like.errors.length > 0 && like.code === undefined) return firstError(like.errors[0]);
  return like;
}

export function describeDatabaseError(error: unknown): string {
  const { code, message } = firstError(error);
  const hint = typeof code === 'string' ? HINTS[code] : undefined;
  const text = typeof message === 'string' && message.length > 0 ? message : 'unknown error';
  return hint ? `${text} (${hint})` : text;
}

/** The URL with its password masked, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

// Connection-level failures: the server is down, restarting, or cut the connection. SQLSTATE class 08 (connection
// exception) and 57P01–57P03 (shutdown, crash, starting up); node's socket errors; pg's own "connection terminated".
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES = [/connection terminated/i, /not queryable/i, /timeout exceeded when trying to connect/i, /the database system is (starting|shutting) (up|down)/i];

/**
 * True when an error (or anything in its cause chain) says the database cannot be reached right now — a failure
 * worth waiting out and answering 503, unlike a failed query (a constraint, a bug), which retrying will not fix.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, message, errors } = current as ErrorLike & { cause?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    if (Array.isArray(errors) && errors.some((member) => isDatabaseUnavailable(member))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
