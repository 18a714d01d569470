import { useState } from 'react';

/** A creator's picture, or their initial when there is none or it does not load (offline demo, expired CDN URL). */
export function Avatar({ url, name, size }: { url: string | null; name: string; size: number }) {
  const [failed, setFailed] = useState(false);
  const style = { width: size, height: size, fontSize: Math.round(size * 0.45) };
  if (!url || failed) {
    return (
      <span className="avatar avatar-initial" style={style} aria-hidden="true">
        {(name.replace(/^@/, '').trim()[0] ?? '?').toUpperCase()}
      </span>
    );
  }
  return <img className="avatar" src={url} alt="" width={size} height={size} onError={() => setFailed(true)} />;
}
