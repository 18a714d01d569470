import { readReelpostError, type ReelpostClient } from '@reelpost/client';
import { useEffect, useState } from 'react';
import { replaceLocation } from './router.js';

/** The reasons a page shows for `?tiktok=error&reason=…` (see the task page's notice). */
function reasonOf(error: unknown): string {
  const code = readReelpostError(error)?.code;
  if (code === 'OAUTH_STATE_INVALID') return 'state_reused';
  if (code === 'FORBIDDEN') return 'foreign_state';
  return 'tiktok_failed';
}

/** The callback hands them over in the fragment: browsers never send it, so no server log sees the code. */
function pendingCompletion(): { state: string; code: string } | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const state = params.get('tiktok_state');
  const code = params.get('tiktok_code');
  return state && code ? { state, code } : null;
}

/**
 * TikTok's callback sends the browser back with `#tiktok_state=…&tiktok_code=…`; this page finishes the connect as
 * the signed-in user (only the user who started a connect can finish it), then puts the outcome in the URL as
 * `tiktok=connected` or `tiktok=error&reason=…` for the page to announce. True while it is finishing.
 */
export function useConnectCompletion(client: ReelpostClient, signedIn: boolean): boolean {
  const [finishing, setFinishing] = useState(() => pendingCompletion() !== null);
  useEffect(() => {
    const pending = pendingCompletion();
    if (!signedIn || !pending) return;
    const params = new URLSearchParams(window.location.search);
    void client.tiktok.completeConnect.mutate(pending).then(
      () => params.set('tiktok', 'connected'),
      (error: unknown) => {
        params.set('tiktok', 'error');
        params.set('reason', reasonOf(error));
      },
    ).finally(() => {
      // Replaced, not pushed, and without the fragment: the code is single-use and must not stay in the history.
      replaceLocation(`${window.location.pathname}?${params.toString()}`);
      setFinishing(false);
    });
  }, [client, signedIn]);
  return finishing && signedIn;
}
