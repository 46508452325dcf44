#!/usr/bin/env node
/**
 * Deliberately broken builds the test suite must catch. Each mutation is applied to a copy of the repository
 * in a temporary directory (node_modules linked, the checkout untouched), the tests that guard that code run
 * there, and the mutation counts as killed only if they fail. Exit 1 if any mutation survives.
 *
 *   node scripts/mutation-check.mjs            every mutation
 *   node scripts/mutation-check.mjs cipher     the ones whose name contains "cipher"
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('..', import.meta.url).pathname;
const ACTIVATION = 'src/services/activation-service.ts';

const MUTATIONS = [
  {
    name: 'cipher ignores FLEET_SECRET_KEY (fixed all-zero key)',
    file: 'src/adapters/code-cipher.ts',
    from: [/this\.key, iv\)/, /this\.key, raw\.subarray\(0, 12\)\)/],
    to: ['Buffer.alloc(32), iv)', 'Buffer.alloc(32), raw.subarray(0, 12))'],
    tests: ['test/unit/adapters/code-cipher.test.ts'],
  },
  {
    name: 'every new activation code written base64-encoded to stderr',
    file: ACTIVATION,
    from: [/const sealedCode = /],
    to: ["process.stderr.write(Buffer.from(created.activationCode).toString('base64') + '\\n');\n      const sealedCode = "],
    tests: ['test/integration/api/api-pipeline.test.ts'],
  },
  {
    name: 'the new activation created before the orphan is deleted',
    file: ACTIVATION,
    from: [/await this\.deleteOrphans\(batch\.region, batchId\);\n(\s+const request = .*\n\s+const created = .*\n)/],
    to: [
      '$1      for (const o of await this.deps.ssm.findByDefaultInstanceName(batch.region, defaultInstanceNameFor(batchId))) {\n' +
        '        if (o.activationId !== created.activationId) await this.deps.ssm.delete(batch.region, o.activationId);\n      }\n',
    ],
    tests: ['test/unit/services/activation-service.test.ts', 'test/integration/pipeline/aws-faults.test.ts'],
  },
  {
    name: 'retry policy: one attempt more than maxAttempts',
    file: ACTIVATION,
    from: [/if \(attempt >= retry\.maxAttempts\)/],
    to: ['if (attempt > retry.maxAttempts)'],
    tests: ['test/unit/services/activation-service.test.ts'],
  },
  {
    name: "retry policy: the last attempt's orphan is not cleaned up",
    file: ACTIVATION,
    from: [/await this\.deleteOrphans\(region, batchId\)\.catch/],
    to: ['await Promise.resolve().catch'],
    tests: ['test/unit/services/activation-service.test.ts'],
  },
  {
    name: 'retry policy: the next attempt does not wait out the read-after-write delay',
    file: ACTIVATION,
    from: [/Math\.max\(retry\.readAfterWriteMs, (fullJitterBackoff\(.*\))\);/],
    to: ['$1;'],
    tests: ['test/unit/services/activation-service.test.ts'],
  },
  {
    name: 'fail-batch accepts an active batch again',
    file: 'src/redis/scripts/fail-batch.lua',
    from: [/if st ~= 'open' and st ~= 'creating' and st ~= 'blocked' then return -1 end/],
    to: ["if not st or st == 'completed' or st == 'expired' or st == 'failed' then return -1 end"],
    tests: ['test/integration/pipeline/stores.test.ts'],
  },
];

const only = process.argv[2];
const chosen = MUTATIONS.filter((m) => only === undefined || m.name.includes(only));
if (chosen.length === 0) {
  console.error(`no mutation matches "${only}"`);
  process.exit(2);
}

const survivors = [];
// the control: the same tests on an unmutated copy must pass, or a "killed" would mean nothing
const control = { name: 'control (no mutation)', file: 'package.json', from: [], to: [], tests: [...new Set(chosen.flatMap((m) => m.tests))], control: true };
for (const m of [control, ...chosen]) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-mutant-'));
  try {
    for (const entry of ['src', 'test', 'scripts', 'bin', 'package.json', 'tsconfig.json', 'vitest.config.ts']) {
      cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    const path = join(dir, m.file);
    let text = readFileSync(path, 'utf8');
    m.from.forEach((pattern, i) => {
      if (!pattern.test(text)) throw new Error(`${m.name}: ${m.file} no longer contains ${pattern} — update the mutation`);
      text = text.replace(pattern, m.to[i]);
    });
    writeFileSync(path, text);
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', ...m.tests], { cwd: dir, encoding: 'utf8', env: process.env });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const failed = (run.stdout + run.stderr).match(/Tests\s+.*?(\d+) failed/)?.[1];
    if (m.control) {
      if (run.status !== 0) {
        console.log(run.stdout.slice(-3_000), run.stderr.slice(-3_000));
        throw new Error(`the unmutated tests fail (${failed ?? '?'} failing): fix them before judging mutations`);
      }
      console.log(`control   the unmutated tests pass (${m.tests.join(', ')}; ${seconds} s)`);
    } else if (run.status === 0) {
      survivors.push(m.name);
      console.log(`SURVIVED  ${m.name} (${m.tests.join(', ')}; ${seconds} s)`);
    } else {
      // what the tests said, so a kill for the wrong reason (a timeout, a crash) shows
      const why = (run.stdout + run.stderr).replace(/\u001b\[[0-9;]*m/g, '').match(/(AssertionError|Error): .*/)?.[0]?.slice(0, 200);
      console.log(`killed    ${m.name} (${failed ?? '?'} failing in ${m.tests.join(', ')}; ${seconds} s)\n            ${why ?? ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(survivors.length === 0 ? `all ${chosen.length} mutations killed` : `${survivors.length} of ${chosen.length} survived`);
process.exit(survivors.length === 0 ? 0 : 1);
