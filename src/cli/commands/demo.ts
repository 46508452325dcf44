/** `fleet-enroll demo`: the whole job on embedded defaults, with progress bars and a final report. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../config.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { runEnrollment, type RunProgress } from '../demo/enrollment-run.js';
import { renderReport, reportJson } from '../demo/run-report.js';
import { ProgressBars } from '../progress-bar.js';

const usage = `usage: fleet-enroll demo [--devices N] [--sites M] [--chaos] [--json]

Runs the whole job on one machine: the AWS stand-in (emulator) with an embedded MQTT broker,
the orchestrator, simulated devices and factory lines posting to the API. Shows progress per
stage and ends with a report. Exit code 0 only if every device registered.

  --devices N   devices to enroll (default 10000)
  --sites M     factory sites, of uneven sizes (default 12)
  --chaos       AWS throttling, errors, latency and lost answers, and a restart of the
                worker roles mid-run; every device must still register
  --json        print the report as one JSON object on the last line of standard output
  --log FILE    where the orchestrator's log goes (default: a file in the temp directory)

Redis: REDIS_URL (default redis://127.0.0.1:6379) if it answers, else a private redis-server
on a free port, removed at exit.`;

function count(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${flag}: must be a whole number 1–${max}, got "${value}"`);
  return Number(value);
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      devices: { type: 'string' },
      sites: { type: 'string' },
      chaos: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      log: { type: 'string' },
    },
  });
  const devices = count('devices', values.devices, 10_000, 5_000_000);
  const sites = count('sites', values.sites, 12, 10_000);
  if (sites > devices) throw new UsageError(`--sites: ${sites} sites need at least as many devices (got --devices ${devices})`);
  const config = loadConfig({ allowGeneratedSecretKey: true });
  const logFile = values.log ?? join(mkdtempSync(join(tmpdir(), 'fleet-demo-')), 'orchestrator.log');
  const logDestination = pino.destination({ dest: logFile, sync: false, mkdir: true });

  const bars = new ProgressBars({ stream: io.stderr as NodeJS.WriteStream });
  const stages = {
    accepted: bars.add('accepted', devices),
    activated: bars.add('activation created', devices),
    delivered: bars.add('credentials delivered', devices),
    registered: bars.add('registered', devices),
  };
  io.stderr.write(`fleet-enroll demo: ${devices.toLocaleString('en-US')} devices, ${sites} sites${values.chaos ? ', chaos on' : ''}; log: ${logFile}\n`);
  const onProgress = (p: RunProgress): void => {
    stages.accepted.update(p.accepted);
    stages.activated.update(p.activated);
    stages.delivered.update(p.delivered);
    stages.registered.update(p.registered, p.failed > 0 ? `${p.registered.toLocaleString('en-US')}/${devices.toLocaleString('en-US')}, ${p.failed} failed` : undefined);
  };
  const summary = await runEnrollment({ devices, sites, chaos: values.chaos, redisUrl: config.redisUrl, logDestination, logLevel: config.logLevel, onProgress });
  bars.finish();
  logDestination.flushSync();
  io.stdout.write(renderReport(summary));
  if (values.json) io.stdout.write(reportJson(summary) + '\n');
  return summary.registered === devices ? 0 : 1;
}

export const demoCommand: Command = { name: 'demo', summary: 'the whole job on embedded defaults: emulator, broker, orchestrator, devices', usage, run };
