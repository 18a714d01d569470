import { type AppRouter, postEventSchema } from '@reelpost/api';
import { generateOpenApiDocument } from 'trpc-to-openapi';
import { z } from 'zod';

/** The event stream's event, as JSON (dates as ISO strings, as the REST surface sends them). */
function postEventJsonSchema() {
  return z.toJSONSchema(postEventSchema, {
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  });
}

/** GET /tasks/{taskId}/post-events is served beside trpc-to-openapi (an event stream), so it is described here. */
function postEventsPath() {
  const { $schema: _dialect, ...event } = postEventJsonSchema();
  const taskId = { name: 'taskId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const accountId = { name: 'accountId', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } };
  const lastEventId = { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'The `id` of the last event received: only newer changes are sent.' };
  const error = { description: 'Refused before the stream opens; the body is `{ error: { code, message, hint? } }`' };
  return {
    get: {
      tags: ['posting'],
      summary: 'Follow the task’s TikTok post live, as server-sent events',
      description:
        'One `post` event per change (the current state first), each with `id` = `<postId>:<seq>`; `end` after PUBLISHED with its link, FAILED or CANCELLED (close the stream then); `error` if the stream must stop (token expired: 401; server shutting down: 503, reconnect with Last-Event-ID). A `: ping` comment every 15 s.',
      security: [{ bearerAuth: [] }],
      parameters: [taskId, accountId, lastEventId],
      responses: {
        200: { description: 'The event stream; each `post` event’s data is this JSON', content: { 'text/event-stream': { schema: event } } },
        401: error,
        403: error,
        404: error,
        429: { description: 'Too many open streams (TOO_MANY_STREAMS); see Retry-After' },
        503: error,
      },
    },
  };
}

export function buildOpenApiDocument(router: AppRouter, publicUrl: string) {
  const document = generateOpenApiDocument(router, {
    title: 'Reelpost API',
    version: '1.0.0',
    description:
      'Tasks and TikTok publishing. The same procedures are served over tRPC at /trpc; errors carry a stable `code`, a `message` and, where one helps, a `hint`.',
    baseUrl: `${publicUrl.replace(/\/+$/, '')}/api/v1`,
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  });
  return { ...document, paths: { ...document.paths, '/tasks/{taskId}/post-events': postEventsPath() } };
}
