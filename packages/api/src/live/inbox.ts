import type { PostEventSubscriber } from './hub.js';
import type { PostEvent } from './schemas.js';

/**
 * One stream's queue between the hub (which pushes) and its generator (which pulls): events of the watched post in
 * arrival order, a pending re-read, or the end. Unbounded only in principle: a post has a handful of changes.
 */
export class StreamInbox implements PostEventSubscriber {
  private readonly items: (PostEvent | 'resync')[] = [];
  private waiting: ((item: PostEvent | 'resync' | null) => void) | null = null;
  private ended = false;
  /** Why the stream ended early: the caller left, its token expired, or the server is shutting down. */
  endedBy: 'caller' | 'expiry' | 'shutdown' | null = null;

  constructor(readonly postId: string) {}

  deliver(event: PostEvent): void {
    if (event.postId === this.postId) this.push(event);
  }

  resync(): void {
    if (!this.items.includes('resync')) this.push('resync');
  }

  /** The server is shutting down (the hub's call). */
  close(): void {
    this.end('shutdown');
  }

  end(reason: 'caller' | 'expiry' | 'shutdown'): void {
    if (this.ended) return;
    this.ended = true;
    this.endedBy = reason;
    this.wake(null);
  }

  /** The next item, or null once the stream is to end. */
  next(): Promise<PostEvent | 'resync' | null> {
    if (this.ended) return Promise.resolve(null);
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private push(item: PostEvent | 'resync'): void {
    if (this.ended) return;
    if (this.waiting) this.wake(item);
    else this.items.push(item);
  }

  private wake(item: PostEvent | 'resync' | null): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(item);
  }
}
