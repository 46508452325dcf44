/**
 * Node flags for an orchestrator process (`serve`). V8 sizes its heap from the machine's memory (a 4 GB
 * ceiling on a 24 GB machine) and with that much room lets the old generation grow to about four times the
 * live set before it collects; with a 1 GB ceiling — far above the ~60 MB an orchestrator process keeps
 * live — it collects at well under twice. Measured in bench/README.md ("Memory"): peak RSS per process
 * ~300–340 → ~200–240 MB for about a tenth more CPU. `npm start`, docker-compose.yml and the demo's and benchmarks'
 * role processes pass them (test/unit/repo/orchestrator-node-flags.test.ts checks the first two).
 */
export const ORCHESTRATOR_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024'];
