/**
 * The CreateActivation request, in our own shape (same field names as the SSM API) so the
 * domain needs no SDK. Built by `buildCreateActivationRequest` (to be written), which
 * enforces every row of DESIGN.md's CreateActivation table.
 */
export interface CreateActivationRequest {
  readonly IamRole: string;
  readonly RegistrationLimit: number;
  readonly ExpirationDate: Date;
  readonly DefaultInstanceName: string;
  readonly Description: string;
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
}

/** DefaultInstanceName carries the batch id, so a lost attempt's activation can be found again. */
export function defaultInstanceNameFor(batchId: string): string {
  return `fleet-${batchId}`;
}
