import type { TikTokAccount } from '@reelpost/client';
import { useState } from 'react';
import { useApi } from '../api.js';
import { Avatar } from '../avatar.js';
import { ErrorNotice } from '../errors.js';

export interface AccountPickerProps {
  accounts: TikTokAccount[];
  value: string | null;
  onChange: (accountId: string) => void;
  instanceId: string;
  /** Where TikTok sends the browser back to (a path of this page). */
  returnTo: string;
}

function accountName(account: TikTokAccount): string {
  return account.displayName ?? account.username ?? account.openId;
}

/** The instance's TikTok accounts as a radio group (the default one first and preselected), and "connect another". */
export function AccountPicker({ accounts, value, onChange, instanceId, returnTo }: AccountPickerProps) {
  const client = useApi();
  const [connecting, setConnecting] = useState(false);
  const [connectError, setConnectError] = useState<unknown>(null);

  const connect = () => {
    setConnecting(true);
    setConnectError(null);
    client.tiktok.connect.mutate({ instanceId, redirectTo: returnTo }).then(
      ({ authorizeUrl }) => window.location.assign(authorizeUrl),
      (error: unknown) => {
        setConnectError(error);
        setConnecting(false);
      },
    );
  };

  return (
    <fieldset className="account-picker">
      <legend>Post with</legend>
      {accounts.length === 0 && <p className="muted">No TikTok account is connected to this workspace yet.</p>}
      <ul className="accounts">
        {accounts.map((account) => (
          <li key={account.id}>
            <input
              type="radio"
              id={`account-${account.id}`}
              name="account"
              value={account.id}
              checked={value === account.id}
              onChange={() => onChange(account.id)}
            />
            <label htmlFor={`account-${account.id}`} className="account">
              <Avatar url={account.avatarUrl} name={accountName(account)} size={36} />
              <span>
                <span className="account-name">{accountName(account)}</span>
                {account.username && <span className="muted"> @{account.username}</span>}
                {account.isDefault && <span className="badge">default</span>}
                {account.state !== 'active' && <span className="badge badge-failed">{account.state === 'needs_reauth' ? 'reconnect needed' : 'revoked'}</span>}
              </span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" onClick={connect} disabled={connecting}>
        {connecting ? 'Opening TikTok…' : accounts.length === 0 ? 'Connect a TikTok account' : 'Connect another account'}
      </button>
      {connectError !== null && <ErrorNotice error={connectError} title="Could not start connecting to TikTok." />}
    </fieldset>
  );
}
