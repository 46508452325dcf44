/** Every command that exists. A command is listed only once its issue has built it. */
import type { Command } from '../command.js';
import { agentCommand } from './agent.js';
import { emulatorCommand } from './emulator.js';
import { retryCommand } from './retry.js';
import { statusCommand } from './status.js';

export const commands: readonly Command[] = [
  emulatorCommand,
  agentCommand,
  statusCommand,
  retryCommand,
];
