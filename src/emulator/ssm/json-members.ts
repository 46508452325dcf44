/**
 * Typed reads of awsJson request members. A member of the wrong JSON type is what AWS answers
 * with SerializationException; constraint violations are ValidationException in AWS's own wording
 * (`Value 'x' at 'registrationLimit' failed to satisfy constraint: …`), so messages name the member.
 */
import { AwsError, validationError } from '../aws-error.js';

export type JsonObject = Record<string, unknown>;

/** AWS names members in validation messages in lower camel case: `RegistrationLimit` → `registrationLimit`. */
export const memberPath = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

export function asObject(value: unknown, member: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AwsError('SerializationException', `'${member}' must be a JSON object`);
  }
  return value as JsonObject;
}

export function optionalString(input: JsonObject, name: string, path = memberPath(name)): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('SerializationException', `'${path}' must be a string, got ${typeof value}`);
  return value;
}

export function requiredString(input: JsonObject, name: string, path = memberPath(name)): string {
  const value = optionalString(input, name, path);
  if (value === undefined) throw validationError(path, undefined, 'Member must not be null');
  return value;
}

export function optionalInteger(input: JsonObject, name: string, path = memberPath(name)): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsError('SerializationException', `'${path}' must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalArray(input: JsonObject, name: string, path = memberPath(name)): unknown[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new AwsError('SerializationException', `'${path}' must be a list`);
  return value;
}

export function stringList(input: JsonObject, name: string, path = memberPath(name)): string[] | undefined {
  const list = optionalArray(input, name, path);
  if (list === undefined) return undefined;
  return list.map((item, i) => {
    if (typeof item !== 'string') throw new AwsError('SerializationException', `'${path}.${i + 1}.member' must be a string`);
    return item;
  });
}

export function checkLength(value: string, path: string, min: number, max: number): void {
  if (value.length < min) throw validationError(path, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw validationError(path, value, `Member must have length less than or equal to ${max}`);
}

export function checkRange(value: number, path: string, min: number, max: number): void {
  if (value < min) throw validationError(path, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(path, value, `Member must have value less than or equal to ${max}`);
}

export function checkPattern(value: string, path: string, pattern: RegExp, source: string): void {
  if (!pattern.test(value)) throw validationError(path, value, `Member must satisfy regular expression pattern: ${source}`);
}
