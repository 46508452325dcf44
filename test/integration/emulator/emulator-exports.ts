/** Reads what `fleet-enroll emulator` prints at start until its exports are complete: the variables to paste. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

export async function emulatorExports(child: Pick<ChildProcessWithoutNullStreams, 'stdout'>): Promise<{ out: string; env: Record<string, string> }> {
  let out = '';
  child.stdout.setEncoding('utf8');
  while (!out.includes('AWS_REGION=')) {
    const [chunk] = (await once(child.stdout, 'data')) as [string];
    out += chunk;
  }
  return { out, env: Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!])) };
}
