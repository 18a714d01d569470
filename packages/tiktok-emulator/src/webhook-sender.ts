import { signTikTokWebhook, TIKTOK_SIGNATURE_HEADER } from '@reelpost/tiktok';
import type { EmulatorClock } from './clock.js';
import type { EmulatorApp, EmulatorWebhookFault, ResolvedEmulatorOptions } from './options.js';
import { stringifyWithInt64 } from './wire.js';

// TikTok delivers each event at least once: a delivery counts only when the callback answers 200; otherwise it is
// retried with exponential backoff. The emulator does the same on its clock, and can send deliberate duplicates.

export interface WebhookDelivery {
  id: number;
  event: string;
  openId: string;
  body: string;
  url: string;
  attempts: number;
  state: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: number;
  lastStatus: number | undefined;
  lastError: string | undefined;
  /** A deliberate extra copy of an event already queued. */
  duplicate: boolean;
}

export class WebhookSender {
  private deliveries: WebhookDelivery[] = [];
  private faults: EmulatorWebhookFault[] = [];
  private readonly sending = new Set<number>();

  constructor(
    private readonly clock: EmulatorClock,
    private readonly options: ResolvedEmulatorOptions['webhooks'],
    private readonly track: (work: Promise<unknown>) => unknown,
    private readonly stopSignal: AbortSignal,
  ) {}

  reset(): void {
    this.deliveries = [];
    this.faults = [];
  }

  failNext(fault: EmulatorWebhookFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  private takeFault(): EmulatorWebhookFault | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.shift();
    return fault;
  }

  list(): WebhookDelivery[] {
    return this.deliveries.map((delivery) => ({ ...delivery }));
  }

  enqueue(app: EmulatorApp, openId: string, event: string, content: Record<string, unknown>): void {
    if (!app.webhookUrl) return;
    const now = this.clock.now();
    const body = JSON.stringify({
      client_key: app.clientKey,
      event,
      create_time: Math.floor(now / 1000),
      user_openid: openId,
      // TikTok sends content as a JSON string.
      content: stringifyWithInt64(content),
    });
    const fault = this.takeFault();
    const copies = this.options.duplicates + (fault?.kind === 'duplicate' ? fault.copies : 0);
    const firstAt = now + (fault?.kind === 'late' ? fault.delayMs : 0);
    for (let copy = 0; copy <= copies; copy += 1) {
      this.deliveries.push({
        id: this.deliveries.length + 1,
        event,
        openId,
        body,
        url: app.webhookUrl,
        attempts: 0,
        state: 'pending',
        // Copies go out later, so each carries its own timestamp and signature, as a redelivery would.
        nextAttemptAt: firstAt + copy * this.options.retryBaseMs,
        lastStatus: undefined,
        lastError: undefined,
        duplicate: copy > 0,
      });
    }
  }

  /** When the next delivery attempt is due, if one is waiting. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const delivery of this.deliveries) {
      if (delivery.state === 'pending' && !this.sending.has(delivery.id)) next = Math.min(next ?? Infinity, delivery.nextAttemptAt);
    }
    return next;
  }

  deliverDue(app: EmulatorApp): void {
    const now = this.clock.now();
    for (const delivery of this.deliveries) {
      if (delivery.state === 'pending' && delivery.nextAttemptAt <= now && !this.sending.has(delivery.id)) {
        this.sending.add(delivery.id);
        this.track(this.send(delivery, app.clientSecret).finally(() => this.sending.delete(delivery.id)));
      }
    }
  }

  private async send(delivery: WebhookDelivery, clientSecret: string): Promise<void> {
    delivery.attempts += 1;
    const signature = signTikTokWebhook({ rawBody: delivery.body, clientSecret, timestamp: Math.floor(this.clock.now() / 1000) });
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TIKTOK_SIGNATURE_HEADER]: signature },
        body: delivery.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.stopSignal]),
      });
      await response.body?.cancel();
      delivery.lastStatus = response.status;
      delivery.lastError = undefined;
      // Only 200 acknowledges a delivery.
      if (response.status === 200) {
        delivery.state = 'delivered';
        return;
      }
    } catch (error) {
      delivery.lastStatus = undefined;
      delivery.lastError = error instanceof Error ? error.message : String(error);
    }
    if (delivery.attempts >= this.options.maxAttempts) {
      delivery.state = 'failed';
      return;
    }
    delivery.nextAttemptAt = this.clock.now() + this.options.retryBaseMs * 2 ** (delivery.attempts - 1);
  }
}
