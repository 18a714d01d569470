import type { CombinedDataTransformer } from '@trpc/server';
import superjson, { type SuperJSONResult } from 'superjson';

/**
 * The wire format is superjson's, read by every client with superjson itself. Writing it is the costliest step of a
 * read (superjson's walker copies each level's path and ancestors for every value it visits), yet our outputs hold
 * only JSON values and dates. This writes exactly what `superjson.serialize` writes for such values in one cheap
 * pass, and hands anything else (Maps, shared or circular references, NaN, class instances…) to superjson.
 *
 * The usual output is not even copied: `json` is the value itself, and the one difference from superjson's copy —
 * dates are still Date objects — is gone once it is JSON text, since a date's `toJSON` is the same `toISOString`
 * superjson writes. Only an `undefined` inside an object needs a copy (superjson writes it as null, JSON.stringify
 * would drop the key), and then the walk starts again, copying.
 */
export const transformer: CombinedDataTransformer = {
  input: superjson,
  output: { serialize: serializeOutput, deserialize: (value: SuperJSONResult): unknown => superjson.deserialize(value) },
};

type Annotation = ['Date'] | ['undefined'];

interface Walk {
  /** Keys and array indexes down to the value being visited; turned into superjson's path only to annotate. */
  path: (string | number)[];
  values: Record<string, Annotation>;
  annotated: boolean;
  seen: Set<object>;
  /** false: containers are returned as they are (no copy), and an `undefined` in an object ends the walk. */
  copying: boolean;
}

/** A value only superjson can write; the walk stops at the first one. */
const UNSUPPORTED = Symbol('unsupported');
/** An `undefined` met while not copying: the walk starts again, copying. */
const NEEDS_COPY = Symbol('needs a copy');

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function walkOf(copying: boolean): Walk {
  return { path: [], values: {}, annotated: false, seen: new Set(), copying };
}

export function serializeOutput(value: unknown): SuperJSONResult {
  if (!isPlainContainer(value)) return superjson.serialize(value);
  let walk = walkOf(false);
  let json = visit(value, walk);
  if (json === NEEDS_COPY) {
    walk = walkOf(true);
    json = visit(value, walk);
  }
  if (json === UNSUPPORTED) return superjson.serialize(value);
  return walk.annotated ? { json: json as SuperJSONResult['json'], meta: { values: walk.values, v: 1 } } : { json: json as SuperJSONResult['json'] };
}

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function annotate(walk: Walk, annotation: Annotation): void {
  let path = '';
  for (let index = 0; index < walk.path.length; index++) {
    const part = walk.path[index]!;
    path += (index === 0 ? '' : '.') + (typeof part === 'number' ? String(part) : escapeKey(part));
  }
  walk.values[path] = annotation;
  walk.annotated = true;
}

/** superjson's own path escaping, so a key holding a dot or a backslash names the same path. */
function escapeKey(key: string): string {
  if (!key.includes('.') && !key.includes('\\')) return key;
  return key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

function visit(value: unknown, walk: Walk): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : UNSUPPORTED;
    case 'undefined':
      annotate(walk, ['undefined']);
      return null;
    case 'object':
      if (value === null) return null;
      // superjson records a second sighting of an object as a referential equality; leave that to it.
      if (walk.seen.has(value)) return UNSUPPORTED;
      walk.seen.add(value);
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return UNSUPPORTED;
        annotate(walk, ['Date']);
        return walk.copying ? value.toISOString() : value;
      }
      if (!isPlainContainer(value)) return UNSUPPORTED;
      return Array.isArray(value) ? visitArray(value, walk) : visitObject(value as Record<string, unknown>, walk);
    default:
      return UNSUPPORTED;
  }
}

function visitArray(array: readonly unknown[], walk: Walk): unknown {
  // An `undefined` item needs no copy: JSON.stringify writes it as null, as superjson does.
  const result: unknown[] | null = walk.copying ? new Array<unknown>(array.length) : null;
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return UNSUPPORTED;
    walk.path.push(index);
    const item = visit(array[index], walk);
    walk.path.pop();
    if (item === UNSUPPORTED || item === NEEDS_COPY) return item;
    if (result) result[index] = item;
  }
  return result ?? array;
}

function visitObject(object: Record<string, unknown>, walk: Walk): unknown {
  const result: Record<string, unknown> | null = walk.copying ? {} : null;
  for (const key of Object.keys(object)) {
    if (RESERVED_KEYS.has(key)) return UNSUPPORTED;
    const value = object[key];
    if (value === undefined && !result) return NEEDS_COPY;
    walk.path.push(key);
    const item = visit(value, walk);
    walk.path.pop();
    if (item === UNSUPPORTED || item === NEEDS_COPY) return item;
    if (result) result[key] = item;
  }
  return result ?? object;
}
