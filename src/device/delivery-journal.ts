/**
 * Deliveries this device has already registered with, kept in a small state file so that a redelivered
 * message (the retained message again after a reconnect or a restart) re-sends the ack instead of
 * registering a second time.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DeviceError } from './device-errors.js';

export interface HandledDelivery {
  readonly deliveryId: string;
  readonly activationId: string;
  readonly managedNodeId: string;
  /** ISO-8601 */
  readonly at: string;
}

export interface DeliveryJournal {
  find(deliveryId: string): HandledDelivery | undefined;
  record(entry: HandledDelivery): Promise<void>;
}

export const STATE_FILE_NAME = 'fleet-enroll-agent.json';

/** The default state file sits next to the SSM agent's registration file. */
export function defaultStateFile(registrationFile: string): string {
  return join(dirname(registrationFile), STATE_FILE_NAME);
}

export class FileDeliveryJournal implements DeliveryJournal {
  private readonly entries: HandledDelivery[];

  private constructor(
    private readonly path: string,
    entries: HandledDelivery[],
    /** a device registers a handful of times in its life; the newest few are all a redelivery can match */
    private readonly keep: number,
  ) {
    this.entries = entries;
  }

  static async open(path: string, keep = 50): Promise<FileDeliveryJournal> {
    // found out now, not after a registration that then could not be remembered
    try {
      await mkdir(dirname(path), { recursive: true });
      await access(dirname(path), constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new DeviceError('STATE_FILE_UNUSABLE', `state file directory ${dirname(path)} is not writable (${code}); choose another with --state-file`);
    }
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DeviceError('STATE_FILE_UNUSABLE', `state file ${path} could not be read (${(err as NodeJS.ErrnoException).code})`);
      }
    }
    if (text === null) return new FileDeliveryJournal(path, [], keep);
    // A damaged file is refused rather than treated as empty: empty would mean registering twice.
    let handled: unknown;
    try {
      handled = (JSON.parse(text) as { handled?: unknown }).handled;
    } catch {
      handled = undefined;
    }
    if (!Array.isArray(handled) || !handled.every(isHandledDelivery)) {
      throw new DeviceError('STATE_FILE_DAMAGED', `state file ${path} is damaged (expected {"v":1,"handled":[…]}); move it away to start afresh`);
    }
    return new FileDeliveryJournal(path, handled, keep);
  }

  find(deliveryId: string): HandledDelivery | undefined {
    return this.entries.find((e) => e.deliveryId === deliveryId);
  }

  async record(entry: HandledDelivery): Promise<void> {
    this.entries.push(entry);
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
    await mkdir(dirname(this.path), { recursive: true });
    // write-then-rename: a crash mid-write leaves the previous file, never a half one
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ v: 1, handled: this.entries }, null, 1) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

function isHandledDelivery(value: unknown): value is HandledDelivery {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['deliveryId', 'activationId', 'managedNodeId', 'at'].every((k) => typeof v[k] === 'string');
}
