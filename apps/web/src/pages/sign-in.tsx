import { type FormEvent, useState } from 'react';
import { apiBaseUrl } from '../api.js';
import { ErrorNotice } from '../errors.js';
import { DEMO_EMAIL, markDemoSession, requestDemoToken } from '../session.js';

/** Demo mode hands out a token for an email; any other server needs a token from its identity provider. */
export function SignInPage({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [email, setEmail] = useState(DEMO_EMAIL);
  const [token, setToken] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const signIn = (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    requestDemoToken(apiBaseUrl(), email).then(
      (demoToken) => {
        onSignedIn(demoToken);
        markDemoSession();
      },
      (problem: unknown) => {
        setError(problem);
        setPending(false);
      },
    );
  };
  const useToken = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSignedIn(token.trim());
  };

  return (
    <main id="main" className="page narrow">
      <h1>Sign in</h1>
      <form className="card" onSubmit={signIn}>
        <h2>Demo</h2>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null && <ErrorNotice error={error} title="Not signed in." />}
      </form>
      <form className="card" onSubmit={useToken}>
        <h2>Bearer token</h2>
        <div className="field">
          <label htmlFor="token">Token from your identity provider</label>
          <input id="token" type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
        </div>
        <button type="submit">Use this token</button>
      </form>
    </main>
  );
}
