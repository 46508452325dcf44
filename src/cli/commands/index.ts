/** Every command that exists, in the order `fleet-enroll --help` lists them. */
import type { Command } from '../command.js';
import { agentCommand } from './agent.js';
import { demoCommand } from './demo.js';
import { emulatorCommand } from './emulator.js';
import { enqueueCommand } from './enqueue.js';
import { exportCommand } from './export.js';
import { retryCommand } from './retry.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';

export const commands: readonly Command[] = [
  serveCommand,
  demoCommand,
  emulatorCommand,
  agentCommand,
  enqueueCommand,
  statusCommand,
  retryCommand,
  exportCommand,
];
