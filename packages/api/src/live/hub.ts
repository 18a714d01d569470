import { appError } from '../errors.js';
import type { PostEvent } from './schemas.js';

/** One open stream, as the hub sees it: where its task's events go. */
export interface PostEventSubscriber {
  /** A change of a post of the watched task, in the order the database committed it. */
  deliver(event: PostEvent): void;
  /** Notifications may have been missed (the LISTEN connection was lost): read the row again. */
  resync(): void;
  /** The server is shutting down: end the stream. */
  close(): void;
}

export interface StreamLimits {
  /** Open streams one user may hold on this process. */
  perUser: number;
  /** Open streams on this process, all users together. */
  total: number;
}

/**
 * A process's open streams by task: the one LISTEN connection hands each notification here once, and the hub gives
 * it to that task's watchers only. Bounded: over a limit, opening a stream is refused (429 TOO_MANY_STREAMS) rather
 * than letting one caller hold the memory and file descriptors every other watcher needs.
 */
export class PostEventHub {
  private readonly byTask = new Map<string, Set<PostEventSubscriber>>();
  private readonly perUser = new Map<string, number>();
  private total = 0;
  private closing = false;

  constructor(private readonly limits: StreamLimits) {}

  get openStreams(): number {
    return this.total;
  }

  /** Registers a stream for `userId` on `taskId`; returns its release (idempotent). Throws over the limits. */
  open(userId: string, taskId: string, subscriber: PostEventSubscriber): () => void {
    if (this.closing) {
      throw appError('LIVE_STATUS_UNAVAILABLE', 'This server is shutting down.', { hint: 'Reconnect: another server answers.' });
    }
    const ofUser = this.perUser.get(userId) ?? 0;
    if (ofUser >= this.limits.perUser || this.total >= this.limits.total) {
      const whose = ofUser >= this.limits.perUser ? `you have ${ofUser} open` : 'this server has as many open as it serves';
      throw appError('TOO_MANY_STREAMS', `Too many live status streams: ${whose}.`, {
        hint: 'Close streams you no longer read (one per task is enough), or poll tiktok.status.',
        retryAfterMs: 5_000,
      });
    }
    this.perUser.set(userId, ofUser + 1);
    this.total += 1;
    let watchers = this.byTask.get(taskId);
    if (!watchers) this.byTask.set(taskId, (watchers = new Set()));
    watchers.add(subscriber);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left === 0) this.perUser.delete(userId);
      else this.perUser.set(userId, left);
      watchers.delete(subscriber);
      if (watchers.size === 0 && this.byTask.get(taskId) === watchers) this.byTask.delete(taskId);
    };
  }

  publish(event: PostEvent): void {
    const watchers = this.byTask.get(event.taskId);
    if (watchers) for (const watcher of watchers) watcher.deliver(event);
  }

  /** After the LISTEN connection came back: every stream reads its post again, so nothing missed is lost. */
  resyncAll(): void {
    for (const watchers of this.byTask.values()) for (const watcher of watchers) watcher.resync();
  }

  /** Shutdown: ends every stream and refuses new ones. */
  closeAll(): void {
    this.closing = true;
    for (const watchers of [...this.byTask.values()]) for (const watcher of [...watchers]) watcher.close();
  }
}
