/**
 * Freezes a configuration object all the way down. Maps cannot be frozen by Object.freeze (their
 * entries live in internal slots), so their mutators are replaced by ones that throw. Buffers are
 * left as they are: typed arrays with elements cannot be frozen.
 */
function refuse(): never {
  throw new TypeError('configuration is read-only');
}

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || Buffer.isBuffer(value)) return value;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
    Object.defineProperties(value, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  } else if (value instanceof Set) {
    Object.defineProperties(value, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  }
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
