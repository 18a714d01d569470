import { lookup as systemLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError, appError } from '../errors.js';
import { addressVerdict, checkVideoUrl, describeRange, describeUrl, PRIVATE_HINT, videoUrlNotAllowed } from './check.js';
import type { VideoUrlPolicy } from './policy.js';

/** Resolves a host name to its addresses (all of them); the default is the system resolver. */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** Per-call dependencies of the network half of the guard. */
export interface VideoUrlGuardOptions {
  /** Host name resolver; tests inject one to make a name resolve to a chosen address. */
  lookup?: ResolveHost;
  /** Extra trusted CA certificates (PEM) for https, e.g. a test server's self-signed certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Cancels the operation (it then fails with VIDEO_URL_UNREACHABLE). */
  signal?: AbortSignal;
}

export const systemResolver: ResolveHost = (hostname) => systemLookup(hostname, { all: true });

/** One overall time limit for an operation (every hop, every byte), plus the caller's cancellation. */
export interface Deadline {
  readonly signal: AbortSignal;
  readonly ms: number;
  timedOut(): boolean;
  dispose(): void;
}

export function startDeadline(ms: number, caller?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const onCallerAbort = () => controller.abort();
  if (caller?.aborted) controller.abort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    ms,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}

export interface GuardedResponse {
  /** The URL that answered, after any redirects (each one checked like the first). */
  readonly url: URL;
  readonly response: http.IncomingMessage;
  /** Turns an error met while reading the body into a typed error. */
  explain(error: unknown): AppError;
  /** Ends the request and closes its connection (no connection is ever reused). */
  close(): void;
}

interface RequestShape {
  method: 'HEAD' | 'GET';
  headers: Record<string, string>;
  /** Fail when the connection is silent this long (for long reads; a probe relies on its deadline alone). */
  idleMs?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BASE_HEADERS = { 'user-agent': 'ReelpostVideoGuard/1.0', accept: '*/*', 'accept-encoding': 'identity' };

/**
 * Sends a request to a URL that `checkVideoUrl` accepted, following at most `policy.maxRedirects` redirects, each
 * target checked by `checkVideoUrl` again. Resolves with the first non-redirect response, whatever its status.
 */
export async function guardedRequest(
  start: URL,
  policy: VideoUrlPolicy,
  shape: RequestShape,
  options: VideoUrlGuardOptions,
  deadline: Deadline,
): Promise<GuardedResponse> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const answer = await sendOnce(url, policy, shape, options, deadline);
    const status = answer.response.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status)) return answer;
    const location = answer.response.headers.location;
    answer.close();
    if (location === undefined || location === '') {
      throw unreachable(
        `${describeUrl(url)} answered HTTP ${status} (a redirect) without saying where to.`,
        'Use the direct URL of the video file.',
        {
          status,
        },
      );
    }
    if (hop >= policy.maxRedirects) {
      throw unreachable(
        `${describeUrl(start)} redirects more than ${policy.maxRedirects} times.`,
        'Use the direct URL of the video file, without redirects.',
        { maxRedirects: policy.maxRedirects },
      );
    }
    url = checkRedirect(location, url, policy);
  }
}

function checkRedirect(location: string, from: URL, policy: VideoUrlPolicy): URL {
  let target: string;
  try {
    target = new URL(location, from).href;
  } catch {
    throw videoUrlNotAllowed(
      'redirect',
      `${describeUrl(from)} redirects to something that is not a URL.`,
      'Use the direct URL of the video file.',
    );
  }
  try {
    return checkVideoUrl(target, policy);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw appError(
      'VIDEO_URL_NOT_ALLOWED',
      `${describeUrl(from)} redirects to a URL that is not allowed: ${error.message}`,
      {
        hint: error.hint,
        details: { ...error.cause.extra.details, redirectedFrom: describeUrl(from) },
      },
    );
  }
}

function sendOnce(
  url: URL,
  policy: VideoUrlPolicy,
  shape: RequestShape,
  options: VideoUrlGuardOptions,
  deadline: Deadline,
): Promise<GuardedResponse> {
  const resolveHost = options.lookup ?? systemResolver;
  let refusal: AppError | null = null;
  let idle = false;

  // The address check happens here, inside the connection being made: Node's socket connects to exactly the addresses
  // this function hands back, so there is no window between the check and the connect for DNS to change its answer.
  // IP-literal hosts never reach a lookup; checkVideoUrl has already judged them.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    Promise.resolve(hostname)
      .then(resolveHost)
      .then(
        (found) => {
          const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : null;
          const addresses = found.filter((entry) => wanted === null || entry.family === wanted);
          if (addresses.length === 0) {
            callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
            return;
          }
          for (const entry of addresses) {
            const verdict = addressVerdict(entry.address, policy);
            if (!verdict.allowed) {
              refusal = videoUrlNotAllowed(
                'private_address',
                `The video URL's host ${hostname} resolves to ${describeRange(verdict)}, which this server never fetches from.`,
                PRIVATE_HINT,
                { range: verdict.range },
              );
              callback(Object.assign(new Error('address refused'), { code: 'EADDRREFUSED_BY_POLICY' }), '', 0);
              return;
            }
          }
          const first = addresses[0]!;
          if (lookupOptions.all)
            callback(
              null,
              addresses.map((entry) => ({ address: entry.address, family: entry.family })),
            );
          else callback(null, first.address, first.family);
        },
        (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
      );
  };

  const explain = (error: unknown): AppError => {
    if (error instanceof AppError) return error;
    if (refusal) return refusal;
    return networkError(error, url, { deadline, idle, idleMs: shape.idleMs ?? 0 });
  };

  return new Promise<GuardedResponse>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = client.request(url, {
        method: shape.method,
        headers: { ...BASE_HEADERS, ...shape.headers },
        agent: false,
        lookup,
        signal: deadline.signal,
        ...(shape.idleMs === undefined ? {} : { timeout: shape.idleMs }),
        insecureHTTPParser: false,
        ...(url.protocol === 'https:' ? { ca: options.ca, rejectUnauthorized: true } : {}),
      });
    } catch (error) {
      reject(explain(error));
      return;
    }
    const close = () => {
      request.destroy();
    };
    request.on('timeout', () => {
      idle = true;
      request.destroy(Object.assign(new Error('idle'), { code: 'ETIMEDOUT' }));
    });
    request.on('error', (error) => {
      request.destroy();
      reject(explain(error));
    });
    request.on('response', (response) => {
      // A body error after this point is the reader's to explain; keep the process from seeing it as unhandled.
      response.on('error', () => undefined);
      resolve({ url, response, explain, close });
    });
    request.end();
  });
}

export function unreachable(message: string, hint: string, details: Record<string, unknown> = {}): AppError {
  return appError('VIDEO_URL_UNREACHABLE', message, { hint, details });
}

/** A video host's HTTP error status, as a message a person can act on. */
export function statusError(url: URL, status: number): AppError {
  const where = describeUrl(url);
  if (status === 401 || status === 403) {
    return unreachable(
      `${where} refused access (HTTP ${status}).`,
      'Make the video publicly readable: TikTok downloads it without credentials.',
      { status },
    );
  }
  if (status === 404 || status === 410) {
    return unreachable(
      `${where} was not found (HTTP ${status}).`,
      'Check that the video file still exists at this URL.',
      { status },
    );
  }
  if (status === 429 || status >= 500) {
    return unreachable(
      `${where} is not available right now (HTTP ${status}).`,
      'The storage service may be busy or down; try again in a few minutes.',
      {
        status,
      },
    );
  }
  return unreachable(
    `${where} answered HTTP ${status} instead of the video.`,
    'Use the direct public URL of the video file.',
    { status },
  );
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|EPROTO/;

function networkError(
  error: unknown,
  url: URL,
  state: { deadline: Deadline; idle: boolean; idleMs: number },
): AppError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
  const where = describeUrl(url);
  const details = { cause: code };
  if (state.deadline.timedOut()) {
    return unreachable(
      `${where} did not finish answering within ${state.deadline.ms} ms.`,
      'Check that the storage is up and the file is served quickly; try again.',
      {
        ...details,
        cause: 'timeout',
      },
    );
  }
  if (state.deadline.signal.aborted) {
    return unreachable(`The request to ${where} was cancelled.`, 'Try again.', { ...details, cause: 'cancelled' });
  }
  if (state.idle) {
    return unreachable(`${where} stopped sending for ${state.idleMs} ms.`, 'Check that the storage is up; try again.', {
      ...details,
      cause: 'idle',
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return unreachable(
      `The video host ${url.hostname} could not be found.`,
      'Check the host name in the video URL.',
      details,
    );
  }
  if (code === 'ECONNREFUSED') {
    return unreachable(
      `${where} refused the connection.`,
      'Check that the storage server is running and the URL has the right port.',
      details,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return unreachable(
      `${where} closed the connection unexpectedly.`,
      'The storage connection was interrupted; try again.',
      details,
    );
  }
  if (TLS_CODE.test(code)) {
    return unreachable(
      `${where} did not present a valid, trusted TLS certificate.`,
      'Serve the video over https with a certificate from a public authority.',
      details,
    );
  }
  if (code.startsWith('HPE_')) {
    return unreachable(
      `${where} answered with a malformed HTTP response.`,
      'Check the storage server; use the public URL of the video file.',
      details,
    );
  }
  return unreachable(
    `${where} could not be reached (${code}).`,
    'Check the URL and that the storage is up; try again.',
    details,
  );
}
