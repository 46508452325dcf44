/** Each CreateActivation check on its own: the exact message a person reads, and the boundary it sits on. */
import { describe, expect, it } from 'vitest';
import {
  checkDefaultInstanceName,
  checkDescription,
  checkExpiration,
  checkIamRole,
  checkRegistrationLimit,
  checkTagKey,
  checkTagValue,
} from '../../../src/domain/activation-constraints.js';

describe('CreateActivation checks', () => {
  it('IAM role: required, a name not an ARN, at most 64, IAM’s characters only, the whole name', () => {
    expect(checkIamRole('')).toBe('is required (an IAM role name)');
    expect(checkIamRole('arn:aws:iam::1:role/x')).toBe('must be an IAM role name, not an ARN (e.g. "SSMServiceRole")');
    expect(checkIamRole('R'.repeat(65))).toBe('must be at most 64 characters');
    expect(checkIamRole('R'.repeat(64))).toBeUndefined();
    expect(checkIamRole('Edge_SSM+=,.@-Role9')).toBeUndefined();
    for (const bad of ['Edge Role', 'Edge/Role', 'Rolle#', ' Role', 'Role ', 'Rôle']) expect(checkIamRole(bad), bad).toBe('must be an IAM role name: letters, digits and +=,.@_-');
  });

  it('registration limit: an integer from 1 to 1000', () => {
    for (const bad of [0, 1001, 1.5, Number.NaN]) expect(checkRegistrationLimit(bad)).toBe('must be an integer from 1 to 1000');
    for (const ok of [1, 1000]) expect(checkRegistrationLimit(ok)).toBeUndefined();
  });

  it('expiration: a valid date, after now, at most 30 days ahead', () => {
    const now = new Date('2026-12-01T00:00:00.000Z');
    expect(checkExpiration(new Date('not a date'), now)).toBe('must be a valid date');
    expect(checkExpiration(now, now)).toBe('must be in the future');
    expect(checkExpiration(new Date(now.getTime() + 30 * 86_400_000 + 1), now)).toBe('must be at most 30 days ahead');
    expect(checkExpiration(new Date(now.getTime() + 30 * 86_400_000), now)).toBeUndefined();
    expect(checkExpiration(new Date(now.getTime() + 1), now)).toBeUndefined();
  });

  it('default instance name: at most 256, SSM name characters', () => {
    expect(checkDefaultInstanceName('n'.repeat(257))).toBe('must be at most 256 characters');
    expect(checkDefaultInstanceName('n'.repeat(256))).toBeUndefined();
    expect(checkDefaultInstanceName('line#1')).toBe('may contain only letters, digits, spaces and _.:/=+-@');
  });

  it('description: at most 256 characters', () => {
    expect(checkDescription('d'.repeat(257))).toBe('must be at most 256 characters');
    expect(checkDescription('d'.repeat(256))).toBeUndefined();
    expect(checkDescription('')).toBeUndefined();
  });

  it('tag key and value messages', () => {
    expect(checkTagKey('')).toBe('tag key must be 1 to 128 characters');
    expect(checkTagKey('AWS:x')).toBe('tag keys starting with "aws:" are reserved by AWS');
    expect(checkTagKey('k#')).toBe('tag key may contain only letters, digits, spaces and _.:/=+-@');
    expect(checkTagValue('v'.repeat(257))).toBe('tag value must be at most 256 characters');
    expect(checkTagValue('v#')).toBe('tag value may contain only letters, digits, spaces and _.:/=+-@');
    expect(checkTagValue('')).toBeUndefined();
  });
});
