/** What every route module receives from buildApi(). */
import type { Config } from '../../config.js';
import type { Metrics } from '../../adapters/metrics.js';
import type { ApiServices } from '../services.js';

export interface RouteDeps {
  readonly config: Config;
  readonly services: ApiServices;
  readonly metrics: Metrics;
}
