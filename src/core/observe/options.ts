/**
 * The observation options of a client (`logger`, `logLevel`, `hooks`, `telemetry`), checked once
 * when the client is created.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import { checkHooks, type Hooks } from './hooks.js';
import { checkLogger, Log, type Logger, type LogLevel, resolveLogLevel } from './logger.js';
import { checkTelemetry, type TelemetryOptions, TelemetrySource } from './telemetry.js';

/** The options of {@link createClient} that say what a client reports, and where. */
export interface ObserveOptions {
  /**
   * Where log records go. Default `console`. Nothing is logged until `logLevel` or the
   * `TASKWAIT_LOG` environment variable turns logging on.
   */
  logger?: Logger | undefined;
  /**
   * The least severe level logged. Default: `TASKWAIT_LOG` (`debug`, `info`, `warn` or `error`)
   * where `process` exists, else `off`.
   */
  logLevel?: LogLevel | undefined;
  /** Hooks called on every request, retry, poll and end of a wait of this client. */
  hooks?: Hooks | undefined;
  /**
   * OpenTelemetry spans and metrics. Default: the global providers, once an OpenTelemetry setup
   * has registered them (in Node >= 20.16; elsewhere pass `{ api }`). `false` turns them off.
   */
  telemetry?: TelemetryOptions | false | undefined;
}

/** The observation options, checked. */
export interface ObserveSettings {
  /** Undefined when the level is `off`. */
  log: Log | undefined;
  logger: Logger;
  hooks: Hooks | undefined;
  /** Undefined when telemetry is off. */
  telemetry: TelemetrySource | undefined;
}

// A bad TASKWAIT_LOG is said once per process, not once per client.
let toldBadEnv = false;

/** Checks the observation options of {@link createClient}. */
export function resolveObserve(options: ObserveOptions): ObserveSettings {
  const logger = options.logger === undefined ? (console as Logger) : checkLogger(options.logger);
  const { level, badEnv } = resolveLogLevel(options.logLevel);
  if (badEnv !== undefined && !toldBadEnv) {
    toldBadEnv = true;
    // Said even with logging off: whoever set the variable wanted logs.
    new Log(logger, 'warn').write('warn', 'taskwait: TASKWAIT_LOG is not a log level; logging stays off', {
      event: 'config',
      value: badEnv,
      expected: 'debug, info, warn, error or off',
    });
  }
  const telemetry = checkTelemetry(options.telemetry, (message) => {
    throw new ConfigError('telemetry', message);
  });
  return {
    log: level === 'off' ? undefined : new Log(logger, level),
    logger,
    hooks: checkHooks(options.hooks, 'hooks'),
    telemetry: telemetry === undefined ? undefined : new TelemetrySource(telemetry),
  };
}
