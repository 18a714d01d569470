import type { AppRouter, Context } from '@reelpost/api';
import { TRPCError } from '@trpc/server';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import type { ContextRequest } from './app.js';

// trpc-to-openapi's fetch adapter builds its whole handler for every request: it validates the router by generating
// the OpenAPI document (unless NODE_ENV=production) and indexes every procedure's path again, which made a REST
// call cost several times its tRPC twin (docs/benchmarks.md). Here the handler is built once, and each fetch
// Request is adapted the way that adapter does it: the URL without the endpoint prefix, the JSON body parsed.

type ErrorHandler = (options: { error: TRPCError; path?: string | undefined }) => void;

export interface RestHandlerOptions {
  router: AppRouter;
  /** Where the REST surface is mounted, e.g. `/api/v1`. */
  endpoint: string;
  createContext: (request: ContextRequest) => Promise<Context>;
  onError: ErrorHandler;
}

/** The request as the handler sees it: the fetch Request, its path relative to the endpoint, its parsed body. */
interface AdaptedRequest {
  raw: Request;
  requestId: string;
  clientIp: string | null;
}

/** The part of a node ServerResponse the handler uses. */
interface ResponseCollector {
  statusCode: number;
  setHeader: (key: string, value: string | readonly string[]) => void;
  end: (body?: string) => void;
}

type ReadBody = { ok: true; value: unknown } | { ok: false; cause: unknown };

const NO_BODY: ReadBody = { ok: true, value: null };

async function readBody(request: Request): Promise<ReadBody> {
  const contentType = request.headers.get('content-type') ?? '';
  try {
    if (contentType.includes('application/json')) return { ok: true, value: JSON.parse(await request.text()) };
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(await request.text());
      return { ok: true, value: Object.fromEntries([...params.keys()].map((key) => [key, params.getAll(key)])) };
    }
    return { ok: true, value: request.body };
  } catch (cause) {
    return { ok: false, cause };
  }
}

export function createRestHandler(options: RestHandlerOptions): (request: Request, meta: Omit<AdaptedRequest, 'raw'>) => Promise<Response> {
  const contexts = new WeakMap<object, AdaptedRequest>();
  const handle = createOpenApiNodeHttpHandler({
    router: options.router,
    createContext: ({ req }: { req: object }) => {
      const adapted = contexts.get(req);
      if (!adapted) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'request context lost' });
      return options.createContext({ req: adapted.raw, requestId: adapted.requestId, clientIp: adapted.clientIp });
    },
    onError: options.onError,
  });

  return async (raw, { requestId, clientIp }) => {
    const url = new URL(raw.url);
    url.pathname = url.pathname.slice(options.endpoint.length) || '/';
    // A GET has no body, and asking the node adapter's request for one builds a whole fetch Request: don't.
    const body = raw.method === 'GET' || raw.method === 'HEAD' ? NO_BODY : await readBody(raw);
    // The handler reads url, method, headers and body; everything else is the fetch Request's own.
    const req = new Proxy(raw, {
      get: (target, property) => {
        if (property === 'url') return url.toString();
        if (property === 'body') {
          if (!body.ok) throw new TRPCError({ code: 'PARSE_ERROR', message: 'Failed to parse request body', cause: body.cause });
          return body.value;
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    contexts.set(req, { raw, requestId, clientIp });
    return new Promise<Response>((resolve, reject) => {
      const headers = new Headers();
      const res: ResponseCollector = {
        statusCode: 200,
        setHeader: (key, value) => {
          if (typeof value === 'string') headers.set(key, value);
          else for (const item of value) headers.append(key, item);
        },
        end: (text) => resolve(new Response(text, { status: res.statusCode, headers })),
      };
      (handle as unknown as (req: object, res: ResponseCollector) => Promise<void>)(req, res).catch(reject);
    });
  };
}
