/** A scenario's keys go with it: the bench leaves Redis as it found it (also a shared one). */
export { deleteMatching } from '../src/devtools/delete-keys.js';

export const benchPrefix = (what: string): string => `bench-${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
