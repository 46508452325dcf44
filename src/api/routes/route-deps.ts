/** What every route module receives from buildApi(). */
import type { Config } from '../../config.js';
import type { Metrics } from '../../adapters/metrics.js';
import type { ApiServices } from '../services.js';
import type { DestinationConfirmer } from './destination-confirmation.js';

export interface RouteDeps {
  readonly config: Config;
  readonly services: ApiServices;
  readonly metrics: Metrics;
  /** answers AWS IoT's destination confirmation sent to POST /v1/acks */
  readonly destinations?: DestinationConfirmer;
}
