import { tokenFingerprint } from '@reelpost/tiktok';
import type { CallCountFilter, TikTokEmulatorControls } from './controls.js';
import { ADMIN_PREFIX, CONTROL_NAMES } from './http-admin.js';

export class EmulatorAdminError extends Error {
  override readonly name = 'EmulatorAdminError';
}

/** The token never travels to the admin API; its digest does. */
function withoutToken(filter: CallCountFilter | undefined): Record<string, unknown> | undefined {
  if (!filter?.accessToken) return filter as Record<string, unknown> | undefined;
  const { accessToken, ...rest } = filter;
  return { ...rest, tokenFingerprint: tokenFingerprint(accessToken) };
}

/** Drives an emulator running in another process through its admin API, with the same controls as in-process. */
export function connectTikTokEmulator(url: string, fetchImpl: typeof fetch = globalThis.fetch): TikTokEmulatorControls {
  const base = `${url.replace(/\/+$/, '')}${ADMIN_PREFIX}`;
  const invoke = async (name: string, args: unknown[]): Promise<unknown> => {
    const response = await fetchImpl(`${base}/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: string };
    if (!response.ok) throw new EmulatorAdminError(`${name} failed: ${body.error ?? `HTTP ${response.status}`}`);
    return body.result;
  };
  const controls = Object.fromEntries(
    CONTROL_NAMES.map((name) => [
      name,
      (...args: unknown[]) => invoke(name, name === 'calls' || name === 'callLog' ? [withoutToken(args[0] as CallCountFilter | undefined)] : args),
    ]),
  );
  return controls as unknown as TikTokEmulatorControls;
}
