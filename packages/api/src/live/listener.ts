import { POST_EVENTS_CHANNEL } from '@reelpost/db';
import pg from 'pg';
import { postEventFromNotification } from './events.js';
import type { PostEventHub } from './hub.js';
import { postNotificationSchema } from './schemas.js';

export interface PostEventListenerOptions {
  connectionString: string;
  hub: PostEventHub;
  /** A connection lost or refused; the listener keeps trying. */
  onConnectionError?: (error: unknown, retryInMs: number) => void;
  /** Backoff between reconnects: doubling from the first to the last. */
  backoffMs?: { first: number; max: number };
  applicationName?: string;
}

export interface PostEventListener {
  /** Resolves once LISTEN is in place (the first time). */
  ready: Promise<void>;
  readonly connected: boolean;
  stop(): Promise<void>;
}

/**
 * The process's one LISTEN connection (a dedicated client, not from the pool: a pooled connection is handed to other
 * queries and would drop the LISTEN). Every notification goes to the hub once. When the connection is lost (a
 * database restart, a failover) it reconnects with backoff, then has every stream read its post again: notifications
 * sent while nobody listened are gone, but the rows hold every state they announced.
 */
export function startPostEventListener(options: PostEventListenerOptions): PostEventListener {
  const backoff = options.backoffMs ?? { first: 250, max: 10_000 };
  let client: pg.Client | null = null;
  let stopped = false;
  let connected = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== POST_EVENTS_CHANNEL || !message.payload) return;
    const parsed = postNotificationSchema.safeParse(JSON.parse(message.payload));
    if (parsed.success) options.hub.publish(postEventFromNotification(parsed.data));
  };

  const scheduleReconnect = (error: unknown) => {
    if (stopped || timer) return;
    connected = false;
    const delay = Math.min(backoff.max, backoff.first * 2 ** Math.min(attempt, 16));
    attempt += 1;
    options.onConnectionError?.(error, delay);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: options.connectionString, application_name: options.applicationName ?? 'reelpost-live' });
    client = next;
    next.on('notification', onNotification);
    next.on('error', (error) => {
      if (client === next) scheduleReconnect(error);
    });
    next.on('end', () => {
      if (client === next) scheduleReconnect(new Error('LISTEN connection ended'));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${POST_EVENTS_CHANNEL}`);
    } catch (error) {
      void next.end().catch(() => undefined);
      if (client === next) scheduleReconnect(error);
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    attempt = 0;
    connected = true;
    markReady();
    // Streams opened while nobody listened read their post again, now that LISTEN is in place: a change after this
    // is both notified and visible to the read.
    options.hub.resyncAll();
  };

  void connect();
  return {
    ready,
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const last = client;
      client = null;
      connected = false;
      await last?.end().catch(() => undefined);
    },
  };
}
