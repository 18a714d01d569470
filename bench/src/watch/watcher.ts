/** What one watcher heard: each event's seq and when it arrived (performance.now()). */
export interface Watcher {
  seqs: number[];
  arrivals: number[];
  /** Resolves when the stream ends (after `end`), rejects on an error event or a broken stream. */
  done: Promise<void>;
  /** Resolves with the first event. */
  opened: Promise<void>;
}

/** A minimal `text/event-stream` reader over fetch: only `post`, `end` and `error` events matter here. */
export function watch(url: string, token: string): Watcher {
  const seqs: number[] = [];
  const arrivals: number[] = [];
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const done = (async () => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`stream answered ${response.status}: ${await response.text()}`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error('stream ended without `end`');
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'post' && data) {
          arrivals.push(performance.now());
          seqs.push((JSON.parse(data) as { seq: number }).seq);
          markOpened();
        } else if (event === 'end') {
          await reader.cancel();
          return;
        } else if (event === 'error') {
          throw new Error(`error event: ${data}`);
        }
      }
    }
  })();
  return { seqs, arrivals, done, opened };
}
