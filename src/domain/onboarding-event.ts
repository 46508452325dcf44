/** One device to enroll, as posted to POST /v1/enrollments (DESIGN.md "Onboarding event"). */
export interface OnboardingEvent {
  readonly deviceId: string;
  readonly siteId: string;
  /** Defaults to deviceId. */
  readonly thingName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly reenroll: boolean;
}
