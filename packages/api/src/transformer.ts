import type { CombinedDataTransformer } from '@trpc/server';
import superjson, { type SuperJSONResult } from 'superjson';
import { isoTimeOf } from './iso-time.js';

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
  values: Record<string, Annotation>;
  annotated: boolean;
  seen: Set<object>;
}

/** A value only superjson can write; the walk stops at the first one. */
const UNSUPPORTED = Symbol('unsupported');

/** Keys superjson refuses (prototype pollution) or handles its own way: the walk leaves them to it. */
function isReservedKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** A value written as it is and never annotated: the walk needs no path for it. */
function isPlainLeaf(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));
}

export function serializeOutput(value: unknown): SuperJSONResult {
  if (!isPlainContainer(value)) return superjson.serialize(value);
  const walk: Walk = { values: {}, annotated: false, seen: new Set() };
  const json = visit(value, ROOT, walk);
  if (json === UNSUPPORTED) return superjson.serialize(value);
  return walk.annotated ? { json: json as SuperJSONResult['json'], meta: { values: walk.values, v: 1 } } : { json: json as SuperJSONResult['json'] };
}

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The root's path. Not '': that is the path of a child whose key is '' (its child at key 0 is '.0', the root's
 * child is '0').
 */
const ROOT = null;
type Path = string | typeof ROOT;

function annotate(walk: Walk, path: Path, annotation: Annotation): void {
  // The root is always a container (serializeOutput hands anything else to superjson), so it is never annotated.
  walk.values[path ?? ''] = annotation;
  walk.annotated = true;
}

/** superjson's path of a child: its parent's, a dot, and the key escaped as superjson escapes it. */
function childPath(path: Path, key: string): string {
  const escaped = key.includes('.') || key.includes('\\') ? key.replace(/\\/g, '\\\\').replace(/\./g, '\\.') : key;
  return path === ROOT ? escaped : `${path}.${escaped}`;
}

/**
 * What superjson's `json` holds for the value at `path` (superjson's dotted path, built as the walk descends): the
 * value itself when nothing in it needs writing differently.
 */
function visit(value: unknown, path: Path, walk: Walk): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : UNSUPPORTED;
    case 'undefined':
      annotate(walk, path, ['undefined']);
      return null;
    case 'object':
      if (value === null) return null;
      // superjson records a second sighting of an object as a referential equality; leave that to it.
      if (walk.seen.has(value)) return UNSUPPORTED;
      walk.seen.add(value);
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return UNSUPPORTED;
        annotate(walk, path, ['Date']);
        return isoTimeOf(value);
      }
      if (!isPlainContainer(value)) return UNSUPPORTED;
      return Array.isArray(value) ? visitArray(value, path, walk) : visitObject(value as Record<string, unknown>, path, walk);
    default:
      return UNSUPPORTED;
  }
}

/** The array, or a copy from the first item written differently on. */
function visitArray(array: readonly unknown[], path: Path, walk: Walk): unknown {
  let copy: unknown[] | null = null;
  for (let index = 0; index < array.length; index++) {
    if (!(index in array)) return UNSUPPORTED;
    const value = array[index];
    const item = isPlainLeaf(value) ? value : visit(value, path === ROOT ? String(index) : `${path}.${index}`, walk);
    if (item === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy[index] = item;
    else if (item !== value) {
      copy = array.slice(0, index);
      copy[index] = item;
    }
  }
  return copy ?? array;
}

/** The object, or a copy when any of its values is written differently. */
function visitObject(object: Record<string, unknown>, path: Path, walk: Walk): unknown {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | null = null;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    if (isReservedKey(key)) return UNSUPPORTED;
    const value = object[key];
    const item = isPlainLeaf(value) ? value : visit(value, childPath(path, key), walk);
    if (item === UNSUPPORTED) return UNSUPPORTED;
    if (copy) copy[key] = item;
    else if (item !== value) {
      // The keys before this one, in their order, so the JSON text keeps the output's key order.
      copy = {};
      for (let before = 0; before < index; before++) copy[keys[before]!] = object[keys[before]!];
      copy[key] = item;
    }
  }
  return copy ?? object;
}
