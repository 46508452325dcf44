/**
 * Device topic templates (docs/CONTRACT.md "MQTT topics"): `fleet/enroll/{siteId}/{thingName}/ack`.
 * Each placeholder must fill one whole topic level, exactly once, so a topic can be parsed back
 * (an ack arrives on a topic, we need its site and thing) and subscribed to with `+` wildcards.
 * One set of rules for both sides: `serve` checks its templates here, and so does the device agent.
 */
import { ValidationError } from './errors.js';

export interface TopicParams {
  readonly siteId: string;
  readonly thingName: string;
}

const PLACEHOLDERS = ['{siteId}', '{thingName}'] as const;
/** AWS IoT: at most 7 forward slashes, 256 bytes per topic. */
const MAX_SLASHES = 7;
const MAX_TOPIC_BYTES = 256;
/** A value that fills a level: no separators, no wildcards, not empty. */
const LEVEL_VALUE = /^[^/+#\u0000]+$/;

/** Every reason `template` is unusable; empty when it is fine. */
export function topicTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  const levels = template.split('/');
  for (const p of PLACEHOLDERS) {
    const count = levels.filter((l) => l === p).length;
    if (count !== 1) problems.push(`must contain ${p} exactly once, as a whole topic level`);
  }
  for (const level of levels) {
    if (level === '') problems.push('must not have empty levels (leading, trailing or double "/")');
    else if (!(PLACEHOLDERS as readonly string[]).includes(level) && /[+#{}]/.test(level)) {
      problems.push(`level "${level}" must not contain wildcards or braces`);
    }
  }
  if (template.startsWith('$')) problems.push('must not start with "$" (reserved topics)');
  if (levels.length - 1 > MAX_SLASHES) problems.push(`must have at most ${MAX_SLASHES} "/" (AWS IoT limit)`);
  return [...new Set(problems)];
}

export function renderTopic(template: string, params: TopicParams): string {
  for (const [key, value] of Object.entries(params)) {
    if (!LEVEL_VALUE.test(value)) throw new RangeError(`${key} "${value}" cannot be a topic level`);
  }
  const topic = template.replace('{siteId}', params.siteId).replace('{thingName}', params.thingName);
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) throw new RangeError(`topic longer than ${MAX_TOPIC_BYTES} bytes`);
  return topic;
}

/** The site and thing a topic was rendered for, or undefined when it does not fit the template. */
export function parseTopic(template: string, topic: string): TopicParams | undefined {
  const want = template.split('/');
  const got = topic.split('/');
  if (want.length !== got.length) return undefined;
  let siteId: string | undefined;
  let thingName: string | undefined;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w === '{siteId}') siteId = g;
    else if (w === '{thingName}') thingName = g;
    else if (w !== g) return undefined;
  }
  if (siteId === undefined || thingName === undefined || !LEVEL_VALUE.test(siteId) || !LEVEL_VALUE.test(thingName)) {
    return undefined;
  }
  return { siteId, thingName };
}

/** The MQTT subscription filter matching every topic of the template (`fleet/enroll/+/+/ack`). */
export function topicFilter(template: string): string {
  return template
    .split('/')
    .map((l) => ((PLACEHOLDERS as readonly string[]).includes(l) ? '+' : l))
    .join('/');
}

/** A template checked once, with the operations the device side needs; the same rules as above. */
export class TopicTemplate {
  /** @param field names the template in the error (`--topic-ack`, `topics.ack`) */
  constructor(
    readonly template: string,
    field = 'topic',
  ) {
    const problems = topicTemplateProblems(template);
    if (problems.length > 0) throw new ValidationError([{ path: field, message: problems.join('; ') }], 'topic template');
  }

  /** The concrete topic of one device; a value that would widen the topic is a ValidationError naming it. */
  render(params: TopicParams): string {
    // only the two fields: callers pass whole deliveries, whose other fields are no part of the topic
    const { siteId, thingName } = params;
    checkLevels({ siteId, thingName });
    return renderTopic(this.template, { siteId, thingName });
  }

  /** A subscription filter for every thing of one site: `{thingName}` becomes `+`. */
  siteFilter(siteId: string): string {
    checkLevels({ siteId });
    return this.template
      .split('/')
      .map((l) => (l === '{siteId}' ? siteId : l === '{thingName}' ? '+' : l))
      .join('/');
  }

  /** Which device a topic belongs to, or null if it is not one of this template's topics. */
  parse(topic: string): TopicParams | null {
    return parseTopic(this.template, topic) ?? null;
  }
}

function checkLevels(values: Partial<TopicParams>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!LEVEL_VALUE.test(value)) throw new ValidationError([{ path: key, message: 'must be non-empty and contain none of + # / NUL' }], 'topic value');
  }
}
