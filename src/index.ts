/**
 * taskwait: await the asynchronous tasks of other companies' APIs.
 *
 * @module taskwait
 */

export {
  type BudgetOptions,
  type BudgetStats,
  createBudget,
  type RateLimit,
  type RequestBudget,
} from './core/budget.js';
export { type AnyVendor, type BaseClient, createClient, type PollStep, type TaskClient } from './core/client.js';
export type { TokenSource } from './core/credentials.js';
export {
  ConfigError,
  HttpError,
  isTransient,
  isTransientStatus,
  NetworkError,
  type ProblemDetails,
  ResponseValidationError,
  TaskFailedError,
  type TaskFailedErrorOf,
  TaskwaitError,
  type TaskwaitErrorOptions,
  type ValidationIssue,
  WaitTimeoutError,
  type WaitTimeoutErrorOf,
} from './core/errors.js';
export type {
  GroupOptions,
  GroupProgress,
  WaitAllOptions,
  WaitOutcome,
} from './core/group.js';
export { DEFAULT_RETRY, type RetryOptions } from './core/http.js';
export {
  isTaskState,
  isTerminal,
  TASK_STATES,
  type TaskError,
  type TaskSnapshot,
  type TaskState,
  TERMINAL_STATES,
} from './core/lifecycle.js';
export { toIso } from './core/normalize.js';
export type {
  ErrorInfo,
  HookName,
  Hooks,
  PollInfo,
  RequestInfo,
  ResponseInfo,
  RetryInfo,
  RetryReason,
  SettledInfo,
  SettledOutcome,
} from './core/observe/hooks.js';
export { LOG_LEVELS, type LogFields, type Logger, type LogLevel, type LogMethod } from './core/observe/logger.js';
export type { ObserveOptions } from './core/observe/options.js';
export type {
  OpenTelemetryApi,
  OtelAttributes,
  OtelContext,
  OtelMeter,
  OtelMeterProvider,
  OtelSpan,
  OtelTracer,
  OtelTracerProvider,
  TelemetryOptions,
} from './core/observe/telemetry.js';
export type { ClientOptions, PollOverrides, WaitDefaults, WaitOptions } from './core/options.js';
export {
  type Page,
  type PageContent,
  type PageSource,
  type Paginator,
  PagingError,
  type PagingOptions,
  paginate,
} from './core/paging/paginator.js';
// The scheduling internals (planDelay, advance, ...) are in `taskwait/schedule`.
export { decodeState, encodeState, type WaitState } from './core/poll/poller.js';
export { DEFAULT_POLL_OPTIONS, type PollOptions } from './core/poll/schedule.js';
export { redact } from './core/redact.js';
export { retryHint } from './core/retry-after.js';
export {
  type AuthScheme,
  apiKeyHeader,
  authorization,
  type BatchRead,
  type BatchTask,
  type DateInput,
  defineBatch,
  defineTask,
  defineVendor,
  type EnrichContext,
  type MethodsOf,
  openEnum,
  type RefOf,
  type Route,
  type SnapshotFields,
  type SnapshotOf,
  type SnapshotOfKinds,
  type TaskKind,
  type TaskUrl,
  type Vendor,
  type VendorContext,
  type VendorDefinition,
  type VendorRequest,
  type VendorResponse,
} from './core/vendor.js';
