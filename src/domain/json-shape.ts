/** Small type guards for validating parsed JSON by hand (faster than a schema on the hot ingest path). */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for messages like `must be a string (got number)`. Never echoes the value itself. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/** `base.key`, `base[3]`, `base["odd key"]`, or `key` at the root. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}
