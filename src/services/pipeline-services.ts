/** The services composed behind one object: what src/api/services.ts's ApiServices asks for (app.ts checks it). */
import type { AckOutcome, BatchView, DeviceView, EnrollResult, ReadinessReport, RetryResult, SiteScope, SiteView, NodeQuotaView } from './views.js';
import type { AckMessage } from '../domain/messages.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { AckService } from './ack-service.js';
import type { EnrollmentService } from './enrollment-service.js';
import type { GaugeService } from './gauge-service.js';
import type { ReadinessService } from './readiness-service.js';

export class PipelineServices {
  constructor(
    private readonly enrollment: EnrollmentService,
    private readonly acks: AckService,
    private readonly readinessService: ReadinessService,
    private readonly gauges: GaugeService,
    /** the node quota of a site's Region, for the site view */
    private readonly nodeQuotaOf?: (siteId: string) => NodeQuotaView | undefined,
  ) {}

  enroll(events: readonly OnboardingEvent[], scope?: SiteScope): Promise<EnrollResult> {
    return this.enrollment.enroll(events, scope);
  }
  device(deviceId: string): Promise<DeviceView | null> {
    return this.enrollment.device(deviceId);
  }
  async site(siteId: string): Promise<SiteView | null> {
    const view = await this.enrollment.siteView(siteId);
    const nodeQuota = view === null ? undefined : this.nodeQuotaOf?.(siteId);
    return view === null || nodeQuota === undefined ? view : { ...view, nodeQuota };
  }
  batch(batchId: string): Promise<BatchView | null> {
    return this.enrollment.batch(batchId);
  }
  retryBatch(batchId: string): Promise<RetryResult | null> {
    return this.enrollment.retryBatch(batchId);
  }
  retrySite(siteId: string): Promise<RetryResult> {
    return this.enrollment.retrySite(siteId);
  }
  retryAllFailed(): Promise<RetryResult> {
    return this.enrollment.retryAllFailed();
  }
  ack(ack: AckMessage, source: 'http' | 'mqtt', topic?: { siteId: string; thingName: string }): Promise<AckOutcome> {
    return this.acks.ack(ack, source, topic);
  }
  readiness(): Promise<ReadinessReport> {
    return this.readinessService.check();
  }
  refreshGauges(): Promise<void> {
    return this.gauges.refresh();
  }
}
