/**
 * SSM's JSON protocol (awsJson1_1: `POST /`, `X-Amz-Target: AmazonSSM.<Operation>`) through SignedRequester,
 * for the per-device call AddTagsToResource (FLEET_PER_DEVICE_CALLS=signed). Each Region's endpoint is the
 * SDK's: its configured one (AWS_ENDPOINT_URL_SSM, config file), else what the SDK's endpoint rules give for
 * the Region (partitions, FIPS and dual-stack settings included); credentials are the SDK client's.
 */
import type { AwsClients } from './aws-clients.js';
import { SignedRequester } from './signed-request.js';

interface EndpointRules {
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  endpointProvider: (params: { Region: string; UseFIPS: boolean; UseDualStack: boolean }, context: object) => { url: URL };
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
}

export class SignedSsmJson {
  private readonly byRegion = new Map<string, Promise<SignedRequester>>();
  /** each operation's headers, one constant object each: the signer builds its canonical headers once per object */
  private readonly headersByOperation = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly clients: AwsClients) {}

  /** the operation's JSON answer; an error answer rejects as the SDK's would */
  async call(region: string, operation: string, input: unknown): Promise<unknown> {
    const requester = await this.requester(region);
    let headers = this.headersByOperation.get(operation);
    if (!headers) {
      headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonSSM.${operation}` };
      this.headersByOperation.set(operation, headers);
    }
    const body = await requester.post({ path: '/', query: '', headers, body: Buffer.from(JSON.stringify(input)) });
    return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
  }

  private requester(region: string): Promise<SignedRequester> {
    let found = this.byRegion.get(region);
    if (!found) {
      found = this.resolve(region).catch((err: unknown) => {
        this.byRegion.delete(region);
        throw err;
      });
      this.byRegion.set(region, found);
    }
    return found;
  }

  private async resolve(region: string): Promise<SignedRequester> {
    const client = this.clients.ssm(region);
    const rules = client.config as unknown as EndpointRules;
    const configured = await rules.serviceConfiguredEndpoint?.();
    const endpoint = configured
      ? new URL(configured)
      : rules.endpointProvider({ Region: region, UseFIPS: await rules.useFipsEndpoint(), UseDualStack: await rules.useDualstackEndpoint() }, {}).url;
    return new SignedRequester(this.clients, endpoint, 'ssm', region, client.config.credentials);
  }
}
