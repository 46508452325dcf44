/** Ajv (Fastify schema) errors → FieldIssue with a JSON path like `events[3].deviceId`. */
import type { FieldIssue } from '../domain/errors.js';

/** the fields of an Ajv ErrorObject that we read */
export interface SchemaErrorLike {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** `/events/3/deviceId` → `events[3].deviceId` */
export function jsonPointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

export function issuesFromSchemaErrors(errors: readonly SchemaErrorLike[], prefix = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // an if/then failure is already reported by the `then` branch's own error (e.g. a missing field)
    if (e.keyword === 'if') continue;
    let path = jsonPointerToPath(e.instancePath);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required' && typeof e.params['missingProperty'] === 'string') {
      path = join(path, e.params['missingProperty']);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties' && typeof e.params['additionalProperty'] === 'string') {
      path = join(path, e.params['additionalProperty']);
      message = 'is not a known field';
    } else if (e.keyword === 'enum' && Array.isArray(e.params['allowedValues'])) {
      message = `must be one of: ${e.params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(e.params['allowedValue'])}`;
    }
    const full = prefix + path;
    const key = `${full}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: full, message });
  }
  return issues;
}
