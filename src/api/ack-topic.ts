/** Reads siteId and thingName out of an ack topic, following the configured ack topic template. */
export interface AckTopic {
  readonly siteId: string;
  readonly thingName: string;
}

export class AckTopicPattern {
  private readonly regex: RegExp;
  private readonly siteGroup: number;
  private readonly thingGroup: number;

  constructor(readonly template: string) {
    const order: string[] = [];
    const source = template
      .split(/(\{siteId\}|\{thingName\})/)
      .map((part) => {
        if (part === '{siteId}' || part === '{thingName}') {
          order.push(part);
          return '([^/#+]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    this.regex = new RegExp(`^${source}$`);
    this.siteGroup = order.indexOf('{siteId}') + 1;
    this.thingGroup = order.indexOf('{thingName}') + 1;
  }

  /** null when the topic does not follow the template (or the template lacks a placeholder) */
  parse(topic: string): AckTopic | null {
    if (this.siteGroup === 0 || this.thingGroup === 0) return null;
    const m = this.regex.exec(topic);
    if (!m) return null;
    return { siteId: m[this.siteGroup]!, thingName: m[this.thingGroup]! };
  }
}
