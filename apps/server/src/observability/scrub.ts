import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** URL attributes (current and older semantic conventions) whose query part is dropped. */
const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target'];
/** Attributes that would carry a query string or headers by themselves. */
const DROPPED_ATTRIBUTES = ['url.query'];

/** A URL without its query and fragment: signed upload URLs and OAuth codes travel there. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * Keeps URL queries out of every span, whoever made it (the fetch instrumentation records `url.full` as sent,
 * and TikTok's upload URLs are signed in their query). Runs as spans start, while they can still be changed, and
 * hands them on to the exporting processor.
 */
export class ScrubbingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    for (const name of URL_ATTRIBUTES) {
      const value = span.attributes[name];
      if (typeof value === 'string' && /[?#]/.test(value)) span.setAttribute(name, withoutQuery(value));
    }
    for (const name of DROPPED_ATTRIBUTES) {
      if (span.attributes[name] !== undefined) span.setAttribute(name, '[redacted]');
    }
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
