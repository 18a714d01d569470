import type { AppRouter } from '@reelpost/api';
import { generateOpenApiDocument } from 'trpc-to-openapi';

export function buildOpenApiDocument(router: AppRouter, publicUrl: string) {
  return generateOpenApiDocument(router, {
    title: 'Reelpost API',
    version: '1.0.0',
    description:
      'Tasks and TikTok publishing. The same procedures are served over tRPC at /trpc; errors carry a stable `code`, a `message` and, where one helps, a `hint`.',
    baseUrl: `${publicUrl.replace(/\/+$/, '')}/api/v1`,
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  });
}
