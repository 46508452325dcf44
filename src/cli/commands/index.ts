/** Every command that exists. A command is listed only once its issue has built it. */
import type { Command } from '../command.js';

export const commands: readonly Command[] = [];
