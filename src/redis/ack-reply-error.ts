/** The ack script answered other than one verdict per ack: the script and its caller are out of step. */
import { FleetError } from '../domain/errors.js';

export class AckReplyError extends FleetError {
  constructor(
    readonly expected: number,
    reply: unknown,
  ) {
    super('INTERNAL', `the ack script answered ${String(JSON.stringify(reply)).slice(0, 200)} for ${expected} ack(s), not one verdict each`);
  }
}
