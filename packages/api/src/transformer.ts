import type { CombinedDataTransformer } from '@trpc/server';
import superjson, { type SuperJSONResult } from 'superjson';

/**
 * The wire format is superjson's, read by every client with superjson itself. Writing it is the costliest step of a
 * read (superjson's walker copies each level's path and ancestors for every value it visits), yet our outputs hold
 * only JSON values and dates. This writes exactly what `superjson.serialize` writes for such values in one cheap
 * pass, and hands anything else (Maps, shared or circular references, NaN, class instances…) to superjson.
 *
 * Only what holds a date or an `undefined` is copied (a date becomes its ISO text, an `undefined` null, as superjson
 * writes them); any other object or array is the output's own, which is the same JSON text. Leaving dates for
 * JSON.stringify to convert would copy nothing, but on Node 20 a date's `toJSON` call costs several times what
 * `toISOString` does here, more than copying the objects that hold one.
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
}

/** A value only superjson can write; the walk stops at the first one. */
const UNSUPPORTED = Symbol('unsupported');

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function serializeOutput(value: unknown): SuperJSONResult {
  if (!isPlainContainer(value)) return superjson.serialize(value);
  const walk: Walk = { path: [], values: {}, annotated: false, seen: new Set() };
  const json = visit(value, walk);
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

/** What superjson's `json` holds for the value: the value itself when nothing in it needs writing differently. */
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
        return value.toISOString();
      }
      if (!isPlainContainer(value)) return UNSUPPORTED;
      return Array.isArray(value) ? visitArray(value, walk) : visitObject(value as Record<string, unknown>, walk);
    default:
      return UNSUPPORTED;
  }
}

/** The array, or a copy from the first item written differently on. */
function visitArray(array: readonly unknown[], walk: Walk): unknown {
  let copy: unknown[] | null = null;
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return UNSUPPORTED;
    walk.path.push(index);
    const item = visit(array[index], walk);
    walk.path.pop();
    if (item === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy[index] = item;
    else if (item !== array[index]) {
      copy = array.slice(0, index);
      copy[index] = item;
    }
  }
  return copy ?? array;
}

/** The object, or a copy when any of its values is written differently. */
function visitObject(object: Record<string, unknown>, walk: Walk): unknown {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | null = null;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (RESERVED_KEYS.has(key)) return UNSUPPORTED;
    walk.path.push(key);
    const item = visit(object[key], walk);
    walk.path.pop();
    if (item === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy[key] = item;
    else if (item !== object[key]) {
      // The keys before this one, in their order, so the JSON text keeps the output's key order.
      copy = {};
      for (let before = 0; before < index; before++) copy[keys[before]!] = object[keys[before]!];
      copy[key] = item;
    }
  }
  return copy ?? object;
}
