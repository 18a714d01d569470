// The bearer token lives in this tab's sessionStorage: it survives the trip to TikTok's authorize page and back, and
// is gone when the tab closes. In demo mode it comes from `POST /dev/token`.

const TOKEN_KEY = 'reelpost.token';
/** Set when the token came from a demo-mode server: the page then offers the demo's stand-ins for TikTok's app. */
const DEMO_KEY = 'reelpost.demo';
export const DEMO_EMAIL = 'demo@reelpost.dev';

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

export function readStoredToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

export function storeToken(token: string | null): void {
  const store = storage();
  if (!store) return;
  if (token) store.setItem(TOKEN_KEY, token);
  else {
    store.removeItem(TOKEN_KEY);
    store.removeItem(DEMO_KEY);
  }
}

export function markDemoSession(): void {
  storage()?.setItem(DEMO_KEY, '1');
}

export function isDemoSession(): boolean {
  return storage()?.getItem(DEMO_KEY) === '1';
}

/**
 * Demo mode only: the creator finishes an inbox draft in "TikTok" (the emulator) and posts it — what a person does
 * in the TikTok app. The post then moves to PUBLISHED through TikTok's own reports.
 */
export async function demoCreatorPostsDraft(baseUrl: string, publishId: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/dev/tiktok/creator-posts-draft`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ publishId }),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: unknown; hint?: unknown } } | null;
    const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`;
    throw new SignInError(message, typeof body?.error?.hint === 'string' ? body.error.hint : null);
  }
}

export class SignInError extends Error {
  override readonly name = 'SignInError';
  constructor(
    message: string,
    readonly hint: string | null,
  ) {
    super(message);
  }
}

/** Asks a demo-mode server for a token for this email. */
export async function requestDemoToken(baseUrl: string, email: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
  } catch {
    throw new SignInError('Could not reach the Reelpost server.', 'Check that it is running (npm start), then try again.');
  }
  if (response.status === 404) {
    throw new SignInError(
      'This server is not in demo mode, so it does not hand out demo tokens.',
      'Paste a bearer token from your identity provider instead.',
    );
  }
  const body = (await response.json().catch(() => null)) as { token?: unknown; error?: { message?: unknown; hint?: unknown } } | null;
  if (!response.ok || typeof body?.token !== 'string') {
    const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`;
    const hint = typeof body?.error?.hint === 'string' ? body.error.hint : null;
    throw new SignInError(message, hint);
  }
  return body.token;
}
