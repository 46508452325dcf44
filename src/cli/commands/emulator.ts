/** `fleet-enroll emulator`: the local AWS stand-in, standalone. Flag parsing only; the emulator is src/emulator. */
import { REGION_PATTERN } from '../../domain/identifiers.js';
import { FaultConfigError, parseFaultConfig, startEmulator, type FaultConfig } from '../../emulator/index.js';
import { ACTIVATION_TIERS, DEFAULT_CREDENTIALS, DEFAULT_NODE_QUOTA, type ActivationTier } from '../../emulator/index.js';
import { type CliIo, type Command, UsageError, parseFlags } from '../command.js';

const usage = `usage: fleet-enroll emulator [--port P] [--mqtt-url URL] [options]

Runs the local AWS stand-in: SSM (activations, managed nodes, tags), AWS IoT (endpoint,
things) and the IoT data plane (Publish, GetRetainedMessage) on one HTTP endpoint, over the
real wire protocols and SigV4, so unmodified AWS clients work against it. Prints the
variables to export, then runs until interrupted (Ctrl-C).

  --port P                  HTTP port (default: a free port)
  --host H                  address to bind (default 127.0.0.1)
  --mqtt-url URL            publish to this broker (e.g. mqtt://127.0.0.1:1883, MQTT 5);
                            default: an embedded broker (MQTT 3.1.1) on a free port
  --mqtt-port P             port of the embedded broker (default: a free port)
  --tier standard|advanced  every Region's /ssm/managed-instance/activation-tier at start (default
                            standard: ${DEFAULT_NODE_QUOTA} managed nodes per Region; advanced: no limit);
                            UpdateServiceSetting / ResetServiceSetting change it at run time
  --node-quota N|unlimited  managed nodes allowed per Region, overriding the tier
  --tls                     serve https with a self-signed certificate made at start (needs openssl);
                            its path is printed (trust it: NODE_EXTRA_CA_CERTS or AWS_CA_BUNDLE)
  --tls-dir DIR             where --tls writes cert.pem and key.pem (default a temporary directory)
  --faults JSON             faults per operation, e.g.
                            '{"ssm.CreateActivation":{"throttle":0.2,"error":0.05,"latencyMs":50,"tps":5,"dropAnswer":0.1}}'
                            change them at run time: PUT /emulator/faults ({} clears)
  --seed N                  seed for fault coin flips (reproducible runs)
  --region R                Region printed in the exports (default us-east-1)
  --access-key-id K         the only credentials accepted
  --secret-access-key S     (default ${DEFAULT_CREDENTIALS.accessKeyId} / ${DEFAULT_CREDENTIALS.secretAccessKey})

Other routes: POST /emulator/register {"activationId","activationCode","hostname"?} (what the
SSM agent's registration does), POST /emulator/foreign-nodes {"count","region"?} (managed nodes
registered by someone else), GET /emulator/state (counts per operation, activations, nodes).`;

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--${flag}: must be a port number 0–65535, got "${value}"`);
  return Number(value);
}

function nodeQuota(value: string | undefined): number | 'unlimited' | undefined {
  if (value === undefined || value === 'unlimited') return value;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--node-quota: must be a whole number or "unlimited", got "${value}"`);
  return Number(value);
}

function tier(value: string | undefined): ActivationTier | undefined {
  if (value === undefined) return undefined;
  if (!(ACTIVATION_TIERS as readonly string[]).includes(value)) throw new UsageError(`--tier: must be standard or advanced, got "${value}"`);
  return value as ActivationTier;
}

function faults(value: string | undefined): FaultConfig | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new UsageError('--faults: not valid JSON');
  }
  try {
    return parseFaultConfig(json);
  } catch (err) {
    if (err instanceof FaultConfigError) throw new UsageError(`--faults: ${err.message}`);
    throw err;
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'mqtt-url': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'node-quota': { type: 'string' },
    tier: { type: 'string' },
    tls: { type: 'boolean' },
    'tls-dir': { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    region: { type: 'string' },
    'access-key-id': { type: 'string' },
    'secret-access-key': { type: 'string' },
  });
  if ((values['access-key-id'] === undefined) !== (values['secret-access-key'] === undefined)) {
    throw new UsageError('--access-key-id and --secret-access-key go together');
  }
  const mqttUrl = values['mqtt-url'];
  if (mqttUrl !== undefined && !/^mqtts?:\/\/[^\s/]+/.test(mqttUrl)) throw new UsageError(`--mqtt-url: must be mqtt://host:port or mqtts://…, got "${mqttUrl}"`);
  if (values.seed !== undefined && !/^\d{1,10}$/.test(values.seed)) throw new UsageError(`--seed: must be a whole number, got "${values.seed}"`);
  if (values['tls-dir'] !== undefined && !values.tls) throw new UsageError('--tls-dir goes with --tls');
  if (values.region !== undefined && !REGION_PATTERN.test(values.region)) throw new UsageError(`--region: not a Region name: "${values.region}"`);

  const emulator = await startEmulator({
    port: port('port', values.port),
    host: values.host,
    mqttUrl,
    mqttPort: port('mqtt-port', values['mqtt-port']),
    nodeQuota: nodeQuota(values['node-quota']),
    tier: tier(values.tier),
    tls: values.tls ? { dir: values['tls-dir'] } : undefined,
    faults: faults(values.faults),
    seed: values.seed === undefined ? undefined : Number(values.seed),
    region: values.region,
    credentials: values['access-key-id'] === undefined ? undefined : { accessKeyId: values['access-key-id'], secretAccessKey: values['secret-access-key']! },
  });
  io.stdout.write(
    [
      `fleet-enroll emulator listening on ${emulator.url} (MQTT broker ${emulator.mqttUrl}${mqttUrl === undefined ? ', embedded, MQTT 3.1.1' : ''})`,
      ...(emulator.certFile ? [`# TLS: self-signed certificate ${emulator.certFile} (node: export NODE_EXTRA_CA_CERTS=${emulator.certFile})`] : []),
      '# paste into a shell to point AWS clients at it:',
      ...Object.entries(emulator.env).map(([name, value]) => `export ${name}=${value}`),
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  io.stderr.write('fleet-enroll emulator: stopped\n');
  return 0;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'the local AWS stand-in (SSM, AWS IoT, IoT data plane), standalone',
  usage,
  run,
};
