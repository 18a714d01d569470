import { createReelpostClient, type ReelpostClient } from '@reelpost/client';
import { createContext, type ReactNode, useContext } from 'react';

const ApiContext = createContext<ReelpostClient | null>(null);

export function ApiProvider({ client, children }: { client: ReelpostClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

/** The typed Reelpost client of this page (tests provide a stub of the procedures they use). */
export function useApi(): ReelpostClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi: wrap the page in <ApiProvider>');
  return client;
}

/** Where the API is: the page's own origin (the server serves both), unless the build was told otherwise. */
export function apiBaseUrl(): string {
  const configured = import.meta.env.VITE_REELPOST_API_URL as string | undefined;
  return configured ?? window.location.origin;
}

export function createPageClient(getToken: () => string | null): ReelpostClient {
  return createReelpostClient({ url: apiBaseUrl(), getToken });
}
