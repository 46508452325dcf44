/** `fleet-enroll agent`: the device-side program. Flag parsing only; the logic is src/device/device-agent.ts. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_TOPICS } from '../../domain/messages.js';
import { ValidationError } from '../../domain/errors.js';
import { REGION_PATTERN } from '../../domain/identifiers.js';
import { LineLog } from '../../device/agent-log.js';
import { CommandRegistrar } from '../../device/command-registrar.js';
import { defaultStateFile, FileDeliveryJournal } from '../../device/delivery-journal.js';
import { DeviceAgent } from '../../device/device-agent.js';
import { MqttConnection } from '../../device/mqtt-connection.js';
import { DEFAULT_REGISTER_COMMAND, RegistrationCommand } from '../../device/registration-command.js';
import { DEFAULT_REGISTRATION_FILE } from '../../device/registration-file.js';
import { TopicTemplate } from '../../domain/topics.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';

const usage = `usage: fleet-enroll agent --thing T --site S (--mqtt-url URL | --endpoint HOST) [options]

Runs on a device: waits for its credentials message, registers the SSM agent with them,
and acknowledges. A redelivered message (same delivery id) is not registered twice: the
ack is sent again. An empty retained message (credentials cleared) is ignored.

  --thing T                 AWS IoT thing name; also the MQTT client id
  --site S                  site id (part of the topics)
  --mqtt-url URL            broker URL: mqtt://host:1883 for a local broker, mqtts://… for TLS
  --endpoint HOST           AWS IoT data endpoint: connects to mqtts://HOST:8883 (needs --cert, --key)
  --cert F / --key F        PEM client certificate and private key (mutual TLS)
  --ca F                    PEM CA bundle (e.g. AmazonRootCA1.pem); default: the system's
  --register-command CMD    default: ${DEFAULT_REGISTER_COMMAND}
                            placeholders {code} {id} {region} {thingName} {deviceId}; split into
                            arguments once and run without a shell ('…' and "…" group words)
  --registration-file PATH  where the SSM agent writes {"ManagedInstanceID":"mi-…"}
                            (default ${DEFAULT_REGISTRATION_FILE})
  --region R                Region for {region} instead of the message's
  --state-file PATH         deliveries already registered (default: fleet-enroll-agent.json
                            next to the registration file)
  --topic-credentials TPL   default ${DEFAULT_TOPICS.credentials}
  --topic-ack TPL           default ${DEFAULT_TOPICS.ack}
  --register-timeout S      seconds before a hung registration command is killed (default 120)
  --once                    exit 0 after the first successful registration, printing the node id

Logs go to stderr; the activation code never appears in them.`;

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

async function readPem(flag: string, path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Reads the PEM files in parallel but reports a failure in flag order, so the same bad
 * command line always gives the same error line whichever read finishes first.
 */
export async function readPems(
  files: readonly (readonly [flag: string, path: string | undefined])[],
  read: (flag: string, path: string | undefined) => Promise<Buffer | undefined> = readPem,
): Promise<(Buffer | undefined)[]> {
  const reads = await Promise.allSettled(files.map(([flag, path]) => read(flag, path)));
  const failed = reads.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return reads.map((r) => (r as PromiseFulfilledResult<Buffer | undefined>).value);
}

/** Domain validation errors from building templates become one usage line. */
function asUsage<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    throw err;
  }
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'device side: wait for credentials, register the SSM agent, ack',
  usage,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const values = parseFlags(argv, {
      thing: { type: 'string' },
      site: { type: 'string' },
      'mqtt-url': { type: 'string' },
      endpoint: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      'register-command': { type: 'string' },
      'registration-file': { type: 'string' },
      region: { type: 'string' },
      'state-file': { type: 'string' },
      'topic-credentials': { type: 'string' },
      'topic-ack': { type: 'string' },
      'register-timeout': { type: 'string' },
      once: { type: 'boolean' },
    });
    const thing = values.thing;
    if (!thing) throw new UsageError('--thing is required');
    if (!THING_NAME.test(thing)) throw new UsageError('--thing: must be 1-128 of [a-zA-Z0-9:_-] (AWS IoT thing name)');
    if (!values.site) throw new UsageError('--site is required');
    if (values['mqtt-url'] && values.endpoint) throw new UsageError('--mqtt-url and --endpoint exclude each other');
    if (!values['mqtt-url'] && !values.endpoint) throw new UsageError('--mqtt-url or --endpoint is required');
    if (values.endpoint && (!values.cert || !values.key)) throw new UsageError('--endpoint needs --cert and --key (AWS IoT uses mutual TLS)');
    if (Boolean(values.cert) !== Boolean(values.key)) throw new UsageError('--cert and --key go together');
    const url = values['mqtt-url'] ?? `mqtts://${values.endpoint}:8883`;
    if (!/^(mqtts?|wss?):\/\/[^/]/.test(url)) throw new UsageError('--mqtt-url: must be mqtt://, mqtts://, ws:// or wss:// with a host');
    if (values.region !== undefined && !REGION_PATTERN.test(values.region)) {
      throw new UsageError('--region: must be an AWS Region name such as eu-central-1');
    }
    const timeoutS = values['register-timeout'] === undefined ? 120 : Number(values['register-timeout']);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('--register-timeout: must be a positive number of seconds');

    const site = values.site;
    const topics = asUsage(() => ({
      credentials: new TopicTemplate(values['topic-credentials'] ?? DEFAULT_TOPICS.credentials, '--topic-credentials'),
      ack: new TopicTemplate(values['topic-ack'] ?? DEFAULT_TOPICS.ack, '--topic-ack'),
    }));
    asUsage(() => topics.credentials.render({ siteId: site, thingName: thing }));
    const command = asUsage(() => new RegistrationCommand(values['register-command'] ?? DEFAULT_REGISTER_COMMAND, '--register-command'));
    const registrationFile = values['registration-file'] ?? DEFAULT_REGISTRATION_FILE;
    const [cert, key, ca] = await readPems([
      ['cert', values.cert],
      ['key', values.key],
      ['ca', values.ca],
    ]);

    const log = new LineLog(io.stderr);
    const journal = await FileDeliveryJournal.open(values['state-file'] ?? defaultStateFile(registrationFile));
    const link = await MqttConnection.connect({ url, clientId: thing, cert, key, ca, log });
    const registrar = new CommandRegistrar({ command, registrationFile, timeoutMs: timeoutS * 1000, region: values.region });
    const agent = new DeviceAgent({ thingName: thing, siteId: site, topics, link, registrar, journal, log });

    const finished = new Promise<number>((resolve) => {
      const stop = (): void => resolve(0);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (values.once) {
        agent.on('outcome', (outcome) => {
          if (outcome.kind !== 'registered') return;
          io.stdout.write(`${outcome.managedNodeId}\n`);
          resolve(0);
        });
      }
    });
    await agent.start();
    const code = await finished;
    await link.close();
    return code;
  },
};
