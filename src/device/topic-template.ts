/**
 * Device topics from their templates (default `fleet/enroll/{siteId}/{thingName}/activation`).
 * A template has the placeholders `{siteId}` and `{thingName}`; either may appear once at most.
 */
import { ValidationError } from '../domain/errors.js';

export interface TopicAddress {
  readonly siteId: string;
  readonly thingName: string;
}

const PLACEHOLDER = /\{(siteId|thingName)\}/g;
/** MQTT topic names must not carry wildcards; a site or thing id with one would subscribe to others' topics. */
const NOT_IN_TOPIC_LEVEL = /[+#/\u0000]/;

function checkLevel(field: string, value: string): void {
  if (value.length === 0 || NOT_IN_TOPIC_LEVEL.test(value)) {
    throw new ValidationError([{ path: field, message: 'must be non-empty and contain none of + # / NUL' }], 'topic value');
  }
}

export class TopicTemplate {
  readonly template: string;
  private readonly matcher: RegExp;
  private readonly order: readonly ('siteId' | 'thingName')[];

  constructor(template: string, field = 'topic') {
    const found = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as 'siteId' | 'thingName');
    if (!found.includes('thingName') || new Set(found).size !== found.length || /[+#]/.test(template)) {
      throw new ValidationError(
        [{ path: field, message: 'must contain {thingName} once, {siteId} at most once, and no MQTT wildcards' }],
        'topic template',
      );
    }
    this.template = template;
    this.order = found;
    const pattern = template
      .split(PLACEHOLDER)
      .map((part, i) => (i % 2 === 1 ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    this.matcher = new RegExp(`^${pattern}$`);
  }

  /** The concrete topic of one device. */
  render(address: TopicAddress): string {
    checkLevel('siteId', address.siteId);
    checkLevel('thingName', address.thingName);
    return this.template.replace(PLACEHOLDER, (_, name: 'siteId' | 'thingName') => address[name]);
  }

  /** A subscription filter for every thing of one site: `{thingName}` becomes `+`. */
  siteFilter(siteId: string): string {
    checkLevel('siteId', siteId);
    return this.template.replace(PLACEHOLDER, (_, name: string) => (name === 'siteId' ? siteId : '+'));
  }

  /** Which device a topic belongs to, or null if it is not one of this template's topics. */
  parse(topic: string): TopicAddress | null {
    const m = this.matcher.exec(topic);
    if (!m) return null;
    const values: Record<string, string> = { siteId: '', thingName: '' };
    this.order.forEach((name, i) => (values[name] = m[i + 1] ?? ''));
    return { siteId: values.siteId ?? '', thingName: values.thingName ?? '' };
  }
}
