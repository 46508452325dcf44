/** SSM tags: the shape and limits of the Tag type (key 1–128, value 0–256, one character class, no `aws:` keys). */
import { AwsError, validationError } from '../aws-error.js';
import { asObject, checkLength, checkPattern, requiredString } from './json-members.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export const TAG_PATTERN_SOURCE = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
const TAG_PATTERN = new RegExp(TAG_PATTERN_SOURCE, 'u');

/** Validates a Tags list member; `path` is its lower-camel name (`tags`). */
export function parseTags(list: readonly unknown[], path: string, maxItems: number): Tag[] {
  if (list.length > maxItems) throw validationError(path, `${list.length} tags`, `Member must have length less than or equal to ${maxItems}`);
  const seen = new Set<string>();
  return list.map((item, i) => {
    const itemPath = `${path}.${i + 1}.member`;
    const tag = asObject(item, itemPath);
    const key = requiredString(tag, 'Key', `${itemPath}.key`);
    const value = requiredString(tag, 'Value', `${itemPath}.value`);
    checkLength(key, `${itemPath}.key`, 1, 128);
    checkPattern(key, `${itemPath}.key`, TAG_PATTERN, TAG_PATTERN_SOURCE);
    checkLength(value, `${itemPath}.value`, 0, 256);
    checkPattern(value, `${itemPath}.value`, TAG_PATTERN, TAG_PATTERN_SOURCE);
    if (key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameters', `Tag key '${key}' at '${itemPath}.key' is not allowed: keys starting with 'aws:' are reserved for AWS use.`);
    }
    if (seen.has(key)) throw new AwsError('InvalidParameters', `Tag key '${key}' at '${itemPath}.key' appears more than once.`);
    seen.add(key);
    return { Key: key, Value: value };
  });
}
