/**
 * taskwait: await the asynchronous tasks of other companies' APIs.
 *
 * @packageDocumentation
 */
export {
  TASK_STATES,
  TERMINAL_STATES,
  isTaskState,
  isTerminal,
  type TaskError,
  type TaskSnapshot,
  type TaskState,
} from './core/lifecycle.js';
export {
  apiKeyHeader,
  authorization,
  defineTask,
  defineVendor,
  openEnum,
  type AuthScheme,
  type DateInput,
  type MethodsOf,
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
export {
  createClient,
  type BaseClient,
  type ClientOptions,
  type PollStep,
  type TaskClient,
  type WaitDefaults,
  type WaitOptions,
} from './core/client.js';
export {
  ConfigError,
  HttpError,
  NetworkError,
  ResponseValidationError,
  TaskFailedError,
  TaskwaitError,
  WaitTimeoutError,
  isTransient,
  isTransientStatus,
  redact,
  type ProblemDetails,
  type ValidationIssue,
} from './core/errors.js';
export { DEFAULT_RETRY, retryHint, type RetryOptions, type TokenSource } from './core/http.js';
export { toIso } from './core/normalize.js';
export {
  DEFAULT_POLL_OPTIONS,
  backoffDelay,
  estimateEnd,
  nextDelay,
  type Observation,
  type PollOptions,
  type ScheduleInput,
} from './core/poll/schedule.js';
export {
  advance,
  decodeState,
  encodeState,
  initialState,
  type PollOutcome,
  type Step,
  type WaitState,
} from './core/poll/poller.js';
export {
  PagingError,
  paginate,
  type Page,
  type PageSource,
  type Paginator,
  type PagingOptions,
} from './core/paging/paginator.js';
