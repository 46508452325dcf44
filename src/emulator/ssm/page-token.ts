/** Opaque NextToken values: an offset, base64url so callers treat it as a token, not a number. */
import { AwsError } from '../aws-error.js';

export const encodePageToken = (offset: number): string => Buffer.from(`emu:${offset}`).toString('base64url');

export function decodePageToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^emu:(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw new AwsError('InvalidNextToken', 'The specified token isn\'t valid.');
  return Number(match[1]);
}
