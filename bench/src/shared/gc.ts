import { readFileSync } from 'node:fs';
import { markdownTable } from './table.js';

// Garbage collection of a process started with `--trace-gc-nvp`, read from the lines V8 prints to its log: one per
// collection, with its pause and, for a young-generation collection (scavenge), the bytes that survived it and the
// bytes promoted to the old generation. A scavenge's cost grows with what survives it — the objects requests still
// hold — so survived bytes per scavenge say what a change does to the young generation more directly than req/s.

/** The V8 flag whose output this reads. */
export const TRACE_GC_FLAG = '--trace-gc-nvp';

export interface GcUsed {
  scavenges: number;
  scavengeMs: number;
  /** Bytes that survived in (or were promoted out of) the young generation, summed over the scavenges. */
  survivedBytes: number;
  promotedBytes: number;
  /** Every other collection (mark-compact, incremental marking's finalisation): its pause. */
  fullCollections: number;
  fullCollectionMs: number;
}

const NONE: GcUsed = { scavenges: 0, scavengeMs: 0, survivedBytes: 0, promotedBytes: 0, fullCollections: 0, fullCollectionMs: 0 };

/** When a process was measured: milliseconds since it was spawned, as V8 times its `--trace-gc-nvp` lines. */
export interface GcSpan {
  from: number;
  to: number;
}

/** A span of a process's life from now until `stop()` is called, on V8's clock for that process. */
export function gcSpanOf(child: { startedAt: number }): { stop: () => GcSpan } {
  const from = Date.now() - child.startedAt;
  return { stop: () => ({ from, to: Date.now() - child.startedAt }) };
}

/** `[pid:0x…]   1234 ms: pause=1.1 … gc=s … promoted=383072 new_space_survived=178528 …` (Node 24 adds `:0` to the prefix). */
const NVP_LINE = /^\[[^\]]+\]\s+(\d+(?:\.\d+)?) ms: (.*)$/;

/**
 * The collections a process logged within these spans, read once it has exited and placed by their own timestamps:
 * read between slices, Node 24's lines had not yet reached the file (V8 prints them through C's stdio, which buffers
 * a file). V8's clock starts with the isolate, some tens of milliseconds after the spawn, so a collection at a span's
 * edge may count in the span beside it.
 */
export function gcWithin(logFile: string, spans: readonly GcSpan[]): GcUsed {
  const total = { ...NONE };
  for (const line of readFileSync(logFile, 'latin1').split('\n')) {
    const match = NVP_LINE.exec(line);
    if (!match) continue;
    const at = Number(match[1]);
    if (!spans.some((span) => at >= span.from && at < span.to)) continue;
    const fields = new Map(match[2]!.split(' ').map((pair) => pair.split('=') as [string, string]));
    const pause = Number(fields.get('pause'));
    if (!Number.isFinite(pause)) continue;
    if (fields.get('gc') === 's') {
      const promoted = Number(fields.get('promoted') ?? 0);
      total.scavenges += 1;
      total.scavengeMs += pause;
      total.survivedBytes += Number(fields.get('new_space_survived') ?? 0) + promoted;
      total.promotedBytes += promoted;
    } else {
      total.fullCollections += 1;
      total.fullCollectionMs += pause;
    }
  }
  return total;
}

export interface GcRow {
  name: string;
  connections: number;
  requests: number;
  /** The answering process's log, and when it was measured for this row. */
  logFile: string;
  spans: GcSpan[];
}

/** Per row: collection pauses per request, and what survived each scavenge (once the processes have exited). */
export function gcTable(rows: readonly GcRow[]): string {
  return markdownTable(
    ['row', 'c', 'GC µs/req', 'scavenges /1000 req', 'ms per scavenge', 'survived KiB per scavenge', 'promoted KiB per scavenge', 'full GCs', 'full GC ms'],
    rows.map(({ name, connections, requests, logFile, spans }) => gcCells(name, connections, requests, gcWithin(logFile, spans))),
  );
}

function gcCells(name: string, connections: number, requests: number, gc: GcUsed): string[] {
  const kib = (bytes: number, count: number) => (count === 0 ? '–' : (bytes / count / 1024).toFixed(0));
  return [
    name,
    String(connections),
    (((gc.scavengeMs + gc.fullCollectionMs) * 1000) / Math.max(1, requests)).toFixed(1),
    ((gc.scavenges * 1000) / Math.max(1, requests)).toFixed(1),
    gc.scavenges === 0 ? '–' : (gc.scavengeMs / gc.scavenges).toFixed(2),
    kib(gc.survivedBytes, gc.scavenges),
    kib(gc.promotedBytes, gc.scavenges),
    String(gc.fullCollections),
    gc.fullCollectionMs.toFixed(0),
  ];
}
