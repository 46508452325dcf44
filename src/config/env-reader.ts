/**
 * Typed reads of environment variables that collect every problem instead of stopping at the first,
 * so one start-up error can list them all. An empty value counts as unset.
 */
import type { FieldIssue } from '../domain/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  readonly issues: FieldIssue[] = [];

  constructor(private readonly env: Env) {}

  /** the raw value, or undefined when unset or empty */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  fail(name: string, message: string): void {
    this.issues.push({ path: name, message });
  }

  string(name: string, fallback: string, check?: (value: string) => string | undefined): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const problem = check?.(value);
    if (problem !== undefined) {
      this.fail(name, `${problem} (got "${value}")`);
      return fallback;
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  url(name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol.slice(0, -1))) {
      // a URL may carry a password: name the expected form, never echo the value
      this.fail(name, `must be a URL starting ${protocols.map((p) => `${p}://`).join(' or ')}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, values: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(values as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${values.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }
}
