/** One server-sent event as a client reads it (comments, such as heartbeats, are not events). */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Reads `text/event-stream` messages from a response body, one at a time, as they arrive. */
export async function* sseMessages(response: Response): AsyncGenerator<SseMessage> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = { id: null, event: 'message', data: '' };
        let any = false;
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon === 0 || line === '') continue;
          const [field, rest] = colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
          if (field === 'id') message.id = rest;
          else if (field === 'event') message.event = rest;
          else if (field === 'data') message.data += (message.data ? '\n' : '') + rest;
          else continue;
          any = true;
        }
        if (any) yield message;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Every message until the stream ends or `stop` says so (that message included); fails after `timeoutMs`. */
export async function readSse(response: Response, stop: (message: SseMessage) => boolean = () => false, timeoutMs = 20_000): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const reading = (async () => {
    for await (const message of sseMessages(response)) {
      messages.push(message);
      if (stop(message)) return;
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`SSE: ${messages.length} messages, then nothing for ${timeoutMs} ms: ${JSON.stringify(messages)}`)), timeoutMs);
  });
  try {
    await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return messages;
}
