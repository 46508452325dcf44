/**
 * The AWS SDK warns at start-up that its releases after January 2027 will need Node 22. It is true and
 * not actionable for a user of this release, so that one warning is dropped; every other warning
 * (deprecations, experimental features, MaxListeners…) still reaches stderr.
 */
const AWS_SDK_NODE_SUPPORT = /^NodeVersionSupportWarning: The AWS SDK for JavaScript/;

const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (AWS_SDK_NODE_SUPPORT.test(text)) return;
  emit(warning, ...rest);
}) as typeof process.emitWarning;
