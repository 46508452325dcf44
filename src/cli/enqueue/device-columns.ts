/**
 * The device CSV's columns, read from its header: `deviceId` (required), `thingName` (optional, defaults to
 * the device id) and `attr.<name>` columns (one per attribute; an empty cell leaves it out). Anything else
 * is refused up front, so a misspelt column cannot silently drop data.
 */
/** An event as posted; the API validates it (one source of truth for the rules). */
export interface EventShape {
  readonly deviceId: string;
  readonly siteId: string;
  readonly thingName?: string;
  readonly attributes?: Record<string, string>;
  readonly reenroll?: boolean;
}

export type RowResult = { readonly event: EventShape } | { readonly error: string };

export class HeaderError extends Error {
  override readonly name = 'HeaderError';
}

export class DeviceColumns {
  private readonly deviceId: number;
  private readonly thingName: number;
  private readonly attributes: readonly { name: string; index: number }[];
  readonly width: number;

  constructor(header: readonly string[]) {
    const names = header.map((h) => h.trim());
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new HeaderError(`column "${name}" appears twice`);
      seen.add(name);
      if (name !== 'deviceId' && name !== 'thingName' && !/^attr\..+/.test(name)) {
        throw new HeaderError(`unknown column "${name}" (columns: deviceId, thingName, attr.<name>)`);
      }
    }
    this.deviceId = names.indexOf('deviceId');
    if (this.deviceId < 0) throw new HeaderError('the header has no deviceId column');
    this.thingName = names.indexOf('thingName');
    this.attributes = names.flatMap((name, index) => (name.startsWith('attr.') ? [{ name: name.slice(5), index }] : []));
    this.width = names.length;
  }

  toEvent(fields: readonly string[], siteId: string, reenroll: boolean): RowResult {
    if (fields.length !== this.width) return { error: `${fields.length} fields, the header has ${this.width}` };
    const thingName = this.thingName >= 0 ? fields[this.thingName] : undefined;
    // own properties whatever the name: `attr.__proto__` stays a column, never a prototype
    const attributes: Record<string, string> = Object.fromEntries(
      this.attributes.flatMap(({ name, index }) => {
        const value = fields[index];
        return value !== undefined && value !== '' ? [[name, value]] : [];
      }),
    );
    const event: EventShape = {
      deviceId: fields[this.deviceId] ?? '',
      siteId,
      ...(thingName ? { thingName } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(reenroll ? { reenroll: true } : {}),
    };
    return { event };
  }
}
