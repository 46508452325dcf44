// The tests StrykerJS runs against each mutant (stryker.config.json): the unit specs of src/domain and of
// the specced services only. They need no Redis, MQTT broker or AWS stand-in, so a mutant run is a few seconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'mutate',
    include: ['test/unit/domain/**/*.test.ts', 'test/unit/services/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup/node-warnings.ts'],
  },
});
