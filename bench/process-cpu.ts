/**
 * CPU seconds per process over a run, from /proc/<pid>/stat (user + system time), for the e2e scenarios'
 * per-process table: where the CPU per device goes. Linux only; elsewhere the table is empty.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface WatchedProcess {
  readonly name: string;
  /** what it runs, for the table */
  readonly runs: string;
  readonly pid: number;
}

export interface ProcessCpuRow extends WatchedProcess {
  readonly cpuSeconds: number;
}

/** utime + stime in clock ticks: fields 14 and 15, counted after the command name (which may hold spaces and parentheses) */
export function ticksFromStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state)
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** the process's CPU seconds so far, or undefined when it is gone or this is not Linux */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    return ticksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicks();
  } catch {
    return undefined;
  }
}

/** the process's command name (/proc/<pid>/comm), or undefined when there is none here */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** reads every process at start() and at stop(); the rows are the differences */
export class ProcessCpuWatch {
  private readonly before = new Map<number, number>();
  private rowsAtStop: ProcessCpuRow[] = [];
  private processes: readonly WatchedProcess[] = [];

  start(processes: readonly WatchedProcess[]): void {
    this.processes = processes;
    for (const p of processes) {
      const cpu = cpuSecondsOf(p.pid);
      if (cpu !== undefined) this.before.set(p.pid, cpu);
    }
  }

  stop(): void {
    this.rowsAtStop = this.processes.flatMap((p) => {
      const from = this.before.get(p.pid);
      const to = cpuSecondsOf(p.pid);
      return from === undefined || to === undefined ? [] : [{ ...p, cpuSeconds: Math.round((to - from) * 100) / 100 }];
    });
  }

  get rows(): readonly ProcessCpuRow[] {
    return this.rowsAtStop;
  }
}
