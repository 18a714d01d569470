import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Query parameters that carry secrets in our URLs (the OAuth callback's `code`, tokens in links). */
const SECRET_PARAMS = ['code', 'state', 'token', 'connectionParams', 'access_token', 'refresh_token', 'client_secret', 'code_verifier'];

/**
 * Field names whose values never reach a log line, at any depth we log. Tokens and secrets are also kept out of
 * errors and responses at their source; this is the last line of defence.
 */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  // Not `code`: it names error codes everywhere. OAuth codes only travel in URLs, which loggableUrl masks.
  ...['accessToken', 'refreshToken', 'access_token', 'refresh_token', 'clientSecret', 'client_secret', 'token', 'codeVerifier', 'code_verifier', 'password', 'secret'].flatMap(
    (key) => [key, `*.${key}`],
  ),
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'reelpost' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
    },
    // Asynchronous stdout: a busy server writes its request lines in batches rather than one write(2) each; pino
    // flushes what is buffered when the process exits.
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

const SECRET_PARAM_NAMES = new Set(SECRET_PARAMS);

/** A URL's path and query for logging, with secret-bearing parameters masked. */
export function loggableUrl(url: string): string {
  const plain = pathAndQueryWithoutSecrets(url);
  if (plain !== null) return plain;
  const parsed = new URL(url, 'http://local');
  for (const name of SECRET_PARAMS) {
    if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '[redacted]');
  }
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * The URL's path and query as they stand, when no parameter can carry a secret: every name plain (no percent-encoding
 * or `+` that could spell one) and none of SECRET_PARAMS. Otherwise null, and the URL is parsed and masked. Request
 * URLs reach us already normalised (the node adapter parses any that are not), so this is what parsing would give;
 * it spares the request log line a URL parse of every tRPC call's encoded input.
 */
function pathAndQueryWithoutSecrets(url: string): string | null {
  const scheme = url.indexOf('://');
  const start = url.startsWith('/') ? 0 : scheme === -1 ? -1 : url.indexOf('/', scheme + 3);
  if (start === -1 || url.includes('#')) return null;
  const question = url.indexOf('?', start);
  if (question === -1) return url.slice(start);
  if (question === url.length - 1) return null;
  for (const pair of url.slice(question + 1).split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    if (name.includes('%') || name.includes('+') || SECRET_PARAM_NAMES.has(name)) return null;
  }
  return url.slice(start);
}

const NO_TRACE = {};

/** The active span's ids on every line logged inside a traced request or job (nothing when tracing is off). */
function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return NO_TRACE;
  return { trace_id: context.traceId, span_id: context.spanId };
}
