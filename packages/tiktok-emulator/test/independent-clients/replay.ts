import type { Harness } from '../support.js';

// Plain requests as an independent client writes them (no code of ours in between), sent to the emulator.

export async function authorizeRedirect(authorizeUrl: string): Promise<URL> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`authorize answered ${response.status} without a redirect: ${await response.text()}`);
  return new URL(location);
}

export async function postForm(h: Harness, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.emulator.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function call(h: Harness, method: 'GET' | 'POST', pathAndQuery: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(`${h.emulator.url}${pathAndQuery}`, { method, headers, ...(body !== undefined && { body }) });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown>; error: { code: string; message: string; log_id: string } } };
}
