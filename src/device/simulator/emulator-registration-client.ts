/**
 * Registers a simulated device through the emulator's stand-in for `amazon-ssm-agent -register`:
 * POST {emulatorUrl}/emulator/register {"activationId","activationCode","hostname"} → {"managedNodeId"}.
 * One keep-alive agent for every device, so 10,000 registrations reuse a few dozen sockets.
 */
import http from 'node:http';
import https from 'node:https';
import { RegistrationError } from '../registrar.js';
import { redact } from '../secret-redactor.js';

export interface RegistrationRequest {
  readonly activationId: string;
  readonly activationCode: string;
  readonly hostname: string;
}

const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

export class EmulatorRegistrationClient {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(
    emulatorUrl: string,
    maxSockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL('/emulator/register', emulatorUrl);
    const secure = this.url.protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
    this.request = secure ? https.request : http.request;
  }

  /** Resolves to the managed node id; a refusal or a broken call is a RegistrationError without the code. */
  register(req: RegistrationRequest): Promise<string> {
    const body = JSON.stringify(req);
    const secrets = [req.activationCode];
    return new Promise((resolve, reject) => {
      const call = this.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => reject(new RegistrationError(`registration answer broken: ${redact(err.message, secrets)}`, false)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let answer: Record<string, unknown> = {};
            try {
              answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            } catch {
              // described below by status
            }
            if (status === 200 && typeof answer.managedNodeId === 'string') return resolve(answer.managedNodeId);
            const type = typeof answer.__type === 'string' ? answer.__type : '';
            const what = type ? `${type}: ${String(answer.message ?? '')}` : `HTTP ${status}`;
            // AWS throttles with a 400 ThrottlingException: worth another try, like a 5xx
            const transient = status >= 500 || status === 429 || /Throttl/.test(type);
            reject(new RegistrationError(redact(`registration refused: ${what}`, secrets), !transient));
          });
        },
      );
      call.on('timeout', () => call.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      call.on('error', (err: NodeJS.ErrnoException) => {
        const transient = TRANSIENT_NETWORK.has(err.code ?? '');
        reject(new RegistrationError(`registration call failed: ${err.code ?? redact(err.message, secrets)}`, !transient));
      });
      call.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
