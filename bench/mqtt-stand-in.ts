/**
 * The in-test MQTT 5 over WebSocket server (test/support/mqtt-ws-server.ts) in a process of its own, for the
 * publish-path bench's `mqtt` mode until the emulator serves `/mqtt`: its CPU stays out of the bench's count.
 * Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; prints its endpoint, then
 * serves until stdin closes.
 */
import { MqttWsTestServer } from '../test/support/mqtt-ws-server.js';

const server = await MqttWsTestServer.start({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
  ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
});
// only the count is kept: a bench run would otherwise hold every publish in memory
const kept = server.publishes;
setInterval(() => kept.splice(0), 1_000).unref();
process.stdout.write(`${server.endpoint}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
