/** A call made for many inputs answered other than one result per input: no caller can be told its own. */
import { FleetError } from '../domain/errors.js';

export class AnswerCountError extends FleetError {
  constructor(
    readonly inputs: number,
    readonly answers: number,
  ) {
    super('INTERNAL', `a call for ${inputs} input(s) answered ${answers} result(s), not one each`);
  }
}
