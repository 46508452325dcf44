/**
 * Rules that exist once: a second copy of the Region pattern, the topic-template class or the ack error
 * cap anywhere in src/ (outside the emulator, which referees on its own) fails here, naming the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGION_PATTERN } from '../../../src/domain/identifiers.js';
import { ACK_ERROR_MAX_LENGTH } from '../../../src/domain/messages.js';
import { failedAck } from '../../../src/device/ack-message.js';
import { ackBody } from '../../../src/api/openapi/schemas.js';

const src = resolve(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Files outside src/emulator whose text matches `pattern`, as paths under src/. */
function filesMatching(pattern: RegExp): string[] {
  return sources(src)
    .map((f) => relative(src, f).split('\\').join('/'))
    .filter((f) => !f.startsWith('emulator/') && pattern.test(readFileSync(join(src, f), 'utf8')))
    .sort();
}

describe('one vocabulary', () => {
  it('declares the Region pattern once, in src/domain/identifiers.ts', () => {
    expect(filesMatching(/\[a-z\]\{2\}\(-\[a-z\]\+\)\+/)).toEqual(['domain/identifiers.ts']);
    for (const region of ['us-east-1', 'eu-central-1', 'us-gov-west-1', 'ap-southeast-2']) expect(REGION_PATTERN.test(region)).toBe(true);
    for (const region of ['mars', 'US-EAST-1', 'us-east', 'us-east-123', 'us-east-1 ']) expect(REGION_PATTERN.test(region)).toBe(false);
  });

  it('has one topic-template implementation, in src/domain/topics.ts', () => {
    expect(filesMatching(/class TopicTemplate\b/)).toEqual(['domain/topics.ts']);
  });

  it('caps the ack error once: the device cuts to it and the API schema refuses beyond it', () => {
    expect(filesMatching(/MAX_ERROR_CHARS/)).toEqual([]);
    const long = 'e'.repeat(ACK_ERROR_MAX_LENGTH * 2);
    expect(failedAck({ deliveryId: 'd', activationId: 'a' }, long).error).toHaveLength(ACK_ERROR_MAX_LENGTH);
    expect(ackBody.properties.error.maxLength).toBe(ACK_ERROR_MAX_LENGTH);
  });

  it('names the POST /v1/enrollments answer once (EnrollmentAnswer)', () => {
    expect(filesMatching(/interface Enrollment(Reply|Answer)\b/)).toEqual(['api/enrollment-request.ts']);
  });
});
