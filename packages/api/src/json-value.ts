import { z } from 'zod';

/**
 * A JSON value (what a jsonb column holds): null, a boolean, a finite number, a string, or arrays and plain objects
 * of them. Checked by a plain recursive function rather than `z.json()`, whose schema is a reference cycle: zod
 * memoises every object it parses through a cycle (a WeakMap bucket per object) and cannot compile a schema that
 * holds one (z.compile), so a single `z.json()` made the whole tasks.detail output the slowest to validate.
 */
export function isJsonValue(value: unknown): value is z.core.util.JSONType {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJsonValue);
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key of Object.keys(value)) if (!isJsonValue((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

export const jsonValueSchema = z.custom<z.core.util.JSONType>(isJsonValue, 'Not a JSON value').meta({
  // What OpenAPI says of it: any of JSON's types (zod cannot render a custom check by itself).
  override: { description: 'Any JSON value.', type: ['string', 'number', 'boolean', 'null', 'array', 'object'] },
});
