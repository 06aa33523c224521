/**
 * The SoftwareOne fake: Task objects as `GET /v1/system/tasks/{id}` answers them, and the
 * platform's problem+json errors.
 *
 * @module
 */
import type { TaskState } from '../../index.js';
import { TASK_ID_PATTERN, type Task, type TaskStatus } from '../../vendors/softwareone/index.js';
import type { FakeTaskView, VendorFake } from '../fake.js';

// SoftwareOne has no partial or skipped outcome and no cancellation in flight. `Canceled` is in
// its own mock extension's TaskStatus enum, not in the docs.
const STATUS: Partial<Record<TaskState, TaskStatus | (string & {})>> = {
  queued: 'Queued',
  running: 'Processing',
  blocked: 'Blocked',
  succeeded: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  // Not a documented status: what a status added later would look like.
  unknown: 'Suspended',
};

const OWNER = { id: 'SVC-0001', name: 'platform', revision: 1 };

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

// RFC 9110 section of each status, as the platform's `type` links to it.
const SECTIONS: Record<number, string> = {
  400: '15.5.1',
  401: '15.5.2',
  403: '15.5.4',
  404: '15.5.5',
  409: '15.5.10',
  415: '15.5.16',
  500: '15.6.1',
  501: '15.6.2',
  502: '15.6.3',
  503: '15.6.4',
  504: '15.6.5',
};

function event(at: Date) {
  return { at: at.toISOString(), by: OWNER };
}

/**
 * Renders `view` as a SoftwareOne Task object. Progress is in percent and absent before the
 * task starts; the Task object has no failure text, so `view.error` is not rendered.
 */
export function renderSoftwareOneTask(view: FakeTaskView): Task {
  const status = STATUS[view.state];
  if (status === undefined) throw new Error(`softwareone: a task can't be ${view.state}`);
  const started = view.state !== 'queued' && view.state !== 'blocked';
  const task: Task = {
    id: view.id,
    name: 'Transferring the buyer to a different account',
    revision: view.poll,
    status,
    code: 'accounts.buyers.transfer',
    queue: 'marketplace/platform/internal/buyers/commands',
    object: { id: 'BUY-1190-0394' },
    description: "Transferring buyer 'BUY-1190-0394' to account 'ACC-5563-4382'",
    parameters: { BuyerId: 'BUY-1190-0394', TargetAccountId: 'ACC-5563-4382' },
    owner: OWNER,
    audit: { created: event(view.createdAt), updated: event(view.updatedAt) },
  };
  if (started && view.progress !== undefined) task.progress = Math.round(view.progress * 1000) / 10;
  if (view.eta) task.eta = view.eta.toISOString();
  if (view.state === 'succeeded') task.result = '/public/v1/accounts/buyers/BUY-1190-0394';
  const audit = task.audit as NonNullable<Task['audit']>;
  if (started) audit.started = event(view.createdAt);
  if (view.completedAt && view.state === 'succeeded') audit.completed = event(view.completedAt);
  if (view.completedAt && view.state === 'failed') audit.failed = event(view.completedAt);
  return task;
}

/** The SoftwareOne fake for the testing kit. */
export const softwareOneFake: VendorFake<'task'> = {
  vendor: 'softwareone',
  kinds: {
    task: { path: '/v1/system/tasks/:taskId', render: renderSoftwareOneTask },
  },
  outcomes: ['succeeded', 'failed', 'canceled'],
  // The vendor checks ids against TSK-XXXX-YYYY-YYYY-YYYY; any other fake id goes by URL.
  ref: (_kind, taskId) =>
    TASK_ID_PATTERN.test(taskId) ? taskId : { url: `v1/system/tasks/${encodeURIComponent(taskId)}` },
  // Not documented by SoftwareOne: the standard header.
  rateLimitHeaders: (seconds) => ({ 'Retry-After': String(seconds) }),
  errorBody: (status, message) => ({
    contentType: 'application/problem+json',
    body: {
      type:
        status === 429
          ? 'https://tools.ietf.org/html/rfc6585#section-4'
          : `https://tools.ietf.org/html/rfc9110#section-${SECTIONS[status] ?? (status >= 500 ? '15.6' : '15.5')}`,
      title: REASONS[status] ?? 'Error',
      status,
      detail: message,
      traceId: '00-9e02a91b64ac56904703a3a69ea9101d-56be90a29d0b0b25-00',
    },
  }),
};
