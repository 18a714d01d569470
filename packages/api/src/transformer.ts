import type { CombinedDataTransformer } from '@trpc/server';
import superjson, { type SuperJSONResult } from 'superjson';

/**
 * The wire format is superjson's, read by every client with superjson itself. Writing it is the costliest step of a
 * read (superjson's walker copies each level's path and ancestors for every value it visits), yet our outputs hold
 * only JSON values and dates. This writes exactly what `superjson.serialize` writes for such values in one cheap
 * pass, and hands anything else (Maps, shared or circular references, NaN, class instances…) to superjson.
 */
export const transformer: CombinedDataTransformer = {
  input: superjson,
  output: { serialize: serializeOutput, deserialize: (value: SuperJSONResult): unknown => superjson.deserialize(value) },
};

type Annotation = ['Date'] | ['undefined'];

interface Walk {
  /** Keys and array indexes down to the value being copied; turned into superjson's path only to annotate. */
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
  const json = copy(value, walk);
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
  walk.values[walk.path.map((part) => (typeof part === 'number' ? String(part) : escapeKey(part))).join('.')] = annotation;
  walk.annotated = true;
}

/** superjson's own path escaping, so a key holding a dot or a backslash names the same path. */
function escapeKey(key: string): string {
  if (!key.includes('.') && !key.includes('\\')) return key;
  return key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

function copy(value: unknown, walk: Walk): unknown {
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
      return Array.isArray(value) ? copyArray(value, walk) : copyObject(value as Record<string, unknown>, walk);
    default:
      return UNSUPPORTED;
  }
}

function copyArray(array: readonly unknown[], walk: Walk): unknown {
  const result: unknown[] = new Array<unknown>(array.length);
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return UNSUPPORTED;
    walk.path.push(index);
    const item = copy(array[index], walk);
    walk.path.pop();
    if (item === UNSUPPORTED) return UNSUPPORTED;
    result[index] = item;
  }
  return result;
}

function copyObject(object: Record<string, unknown>, walk: Walk): unknown {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (RESERVED_KEYS.has(key)) return UNSUPPORTED;
    walk.path.push(key);
    const item = copy(object[key], walk);
    walk.path.pop();
    if (item === UNSUPPORTED) return UNSUPPORTED;
    result[key] = item;
  }
  return result;
}
