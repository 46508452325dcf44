/**
 * Identifier formats shared by the orchestrator, the CLI and the device side, each declared once.
 * (The emulator keeps its own copies on purpose: it referees our requests.)
 */

/** An AWS Region name as AWS spells them: `us-east-1`, `eu-central-1`, `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
