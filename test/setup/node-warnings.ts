// Test processes load the AWS SDK too: the same one warning is dropped as in the CLI (src/node-warnings.ts).
import '../../src/node-warnings.js';
