import type { JsonValue } from '@reelpost/db';

// Reading JSON that agents wrote however they liked: small, total helpers that never throw.

export type LooseRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is LooseRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` holding a non-blank string, trimmed. */
export function firstString(record: LooseRecord, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

/** The first of `keys` holding a finite number, or a string that is exactly one. */
export function firstNumber(record: LooseRecord, keys: readonly string[]): number | null {
  for (const key of keys) {
    const number = toFiniteNumber(record[key]);
    if (number !== null) return number;
  }
  return null;
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function toFiniteNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) {
    const number = Number(value.trim());
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Compact JSON for showing an unexpected value to a person; never throws (BigInt, cycles) and is bounded. */
export function describeValue(value: unknown, max: number): string {
  if (typeof value === 'string') return truncate(value, max);
  let text: string | undefined;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : typeof value;
  }
  return truncate(text, max);
}

/**
 * The same JSON with numbers JavaScript cannot hold as null: JSONB keeps 1e400 exactly, JSON.parse reads it as
 * Infinity, and the API's JSON schema (rightly) refuses Infinity. Returns the value itself when nothing changes.
 */
export function withFiniteNumbers<T extends JsonValue>(value: T): T;
export function withFiniteNumbers(value: JsonValue): JsonValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) {
    let copy: JsonValue[] | undefined;
    value.forEach((item, index) => {
      const fixed = withFiniteNumbers(item);
      if (fixed !== item) (copy ??= [...value])[index] = fixed;
    });
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object') {
    let copy: Record<string, JsonValue> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const fixed = withFiniteNumbers(item);
      if (fixed !== item) (copy ??= { ...value })[key] = fixed;
    }
    return copy ?? value;
  }
  return value;
}
