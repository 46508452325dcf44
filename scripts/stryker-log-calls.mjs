// A StrykerJS ignorer (stryker.config.mjs `ignorers: ['log-calls']`): no mutants inside a call to a pino
// logger (`logger.warn(...)`, `this.deps.logger.info(...)`, `log.error(...)`), nor in an `if` whose only
// effect is such a call (`if (n > 0) logger.debug(...)`). Log lines are for the operator, not behaviour
// a unit test should pin; what the service does is asserted on its results.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const LOGGER_NAMES = new Set(['logger', 'log']);

/** `<...>.logger.warn` or `log.info`: the callee of a call to a logger method. */
function isLoggerMethod(callee) {
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') return false;
  if (!LEVELS.has(callee.property.name)) return false;
  const target = callee.object;
  if (target.type === 'Identifier') return LOGGER_NAMES.has(target.name);
  return target.type === 'MemberExpression' && !target.computed && target.property.type === 'Identifier' && LOGGER_NAMES.has(target.property.name);
}

const isLoggerCall = (node) => node?.type === 'CallExpression' && isLoggerMethod(node.callee);

/** `if (...) logger.x(...)` or `if (...) { logger.x(...); }`, no else */
function isLogOnlyIf(node) {
  if (node.type !== 'IfStatement' || node.alternate) return false;
  const body = node.consequent.type === 'BlockStatement' ? node.consequent.body : [node.consequent];
  return body.length > 0 && body.every((s) => s.type === 'ExpressionStatement' && isLoggerCall(s.expression));
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-calls', {
    shouldIgnore(path) {
      if (isLoggerCall(path.node)) return 'a log line: for the operator, not behaviour a unit test pins';
      if (isLogOnlyIf(path.node)) return 'decides only whether to log';
      return undefined;
    },
  }),
];
