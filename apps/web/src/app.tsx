import { readReelpostError, type ReelpostClient } from '@reelpost/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiProvider, createPageClient } from './api.js';
import { useConnectCompletion } from './connect-completion.js';
import { TaskDetailPage } from './pages/task-detail.js';
import { TaskListPage } from './pages/task-list.js';
import { SignInPage } from './pages/sign-in.js';
import { Link, matchRoute, useLocation } from './router.js';
import { readStoredToken, storeToken } from './session.js';

function isUnauthorized(error: unknown): boolean {
  return readReelpostError(error)?.code === 'UNAUTHORIZED';
}

export function App({ client: givenClient }: { client?: ReelpostClient }) {
  const [token, setToken] = useState<string | null>(readStoredToken);
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const [client] = useState(() => givenClient ?? createPageClient(() => tokenRef.current));
  const signOut = () => {
    storeToken(null);
    setToken(null);
  };
  const [queryClient] = useState(
    () =>
      new QueryClient({
        // An expired or refused token ends the session: the sign-in page says so instead of every panel failing.
        queryCache: new QueryCache({ onError: (error) => isUnauthorized(error) && signOut() }),
        mutationCache: new MutationCache({ onError: (error) => isUnauthorized(error) && signOut() }),
        defaultOptions: {
          queries: {
            refetchOnWindowFocus: false,
            retry: (count, error) => count < 2 && readReelpostError(error) === null,
          },
        },
      }),
  );
  const finishingConnect = useConnectCompletion(client, token !== null);
  const location = useLocation();
  const route = matchRoute(location.pathname);

  const signIn = (next: string) => {
    storeToken(next);
    queryClient.clear();
    setToken(next);
  };

  return (
    <ApiProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="topbar">
          <Link href="/" className="brand">
            Reelpost
          </Link>
          {token && (
            <button type="button" className="link-button" onClick={signOut}>
              Sign out
            </button>
          )}
        </header>
        {!token ? (
          <SignInPage onSignedIn={signIn} />
        ) : finishingConnect ? (
          <main id="main" className="page" aria-busy="true">
            <p>Connecting your TikTok account…</p>
          </main>
        ) : route.page === 'tasks' ? (
          <TaskListPage />
        ) : route.page === 'task' ? (
          <TaskDetailPage key={route.taskId} taskId={route.taskId} returnTo={location.pathname} search={location.search} />
        ) : (
          <main id="main" className="page">
            <h1>Not found</h1>
            <p>
              There is no page at {location.pathname}. <Link href="/">See all tasks</Link>.
            </p>
          </main>
        )}
      </QueryClientProvider>
    </ApiProvider>
  );
}
