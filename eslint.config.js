// ESLint flat config: typescript-eslint's recommended rules (syntactic only, no type information:
// fast enough for every `npm test`) plus the domain's import ban. scripts/check-layers.mjs checks
// the whole layer rule; this gives the same answer for src/domain inside an editor.
import tseslint from 'typescript-eslint';

const DOMAIN_BANNED = [
  { group: ['**/redis/**', '**/workers/**', '**/adapters/**', '**/api/**', '**/services/**', '**/cli/**', '**/emulator/**', '**/device/**', '**/app.js', '**/config.js'], message: 'src/domain is pure: it imports only domain files (docs/ARCHITECTURE.md "Layers").' },
  { group: ['@aws-sdk/*', 'bullmq', 'ioredis', 'fastify', '@fastify/*', 'mqtt', 'aedes', 'pino', 'prom-client'], message: 'src/domain imports no SDK or I/O library (zod is the one allowed).' },
  { group: ['node:*', 'fs', 'net', 'http', 'https', 'child_process', 'dgram', 'tls', 'os'], message: 'src/domain does no I/O: no Node built-ins.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'bench/results/**', '.stryker-tmp/**', 'reports/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (callback arity, destructuring that drops a field)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: DOMAIN_BANNED }] },
  },
);
