/**
 * The Layer IQ fake: renders a canonical state as Layer IQ's `Task`, at the assumed status path
 * `/tasks/:taskId` below the base URL.
 *
 * @module
 */
import type { TaskState } from '../../index.js';
import { SIGNATURE_HEADER, signWebhook } from '../../vendors/layer-iq/webhook.js';
import type { FakeTaskView, FakeWebhook, FakeWebhookInput, VendorFake } from '../fake.js';

// Layer IQ has five statuses. The states it has no word for are rendered as what a client would
// see meanwhile (`blocked` waits in the queue, `canceling` still runs); `unknown` as a status
// this version does not know; `skipped` as a COMPLETE run that touched nothing.
const STATUS: Record<TaskState, string> = {
  queued: 'QUEUED',
  running: 'RUNNING',
  blocked: 'QUEUED',
  canceling: 'RUNNING',
  unknown: 'PAUSED',
  succeeded: 'COMPLETE',
  partial: 'COMPLETE',
  failed: 'FAILED',
  canceled: 'CANCELED',
  skipped: 'COMPLETE',
};

const MAX_ISSUES = 100;

function render(view: FakeTaskView): Record<string, unknown> {
  const total = view.state === 'skipped' ? 0 : (view.totalItems ?? 100);
  const ended = view.state === 'succeeded' || view.state === 'partial' || view.state === 'skipped';
  const progress = ended ? 1 : (view.progress ?? 0);
  const failed = view.state === 'partial' ? Math.max(1, view.failedItems ?? 1) : 0;
  const done = Math.min(total, Math.round(progress * total));
  const issues = Array.from({ length: Math.min(failed, MAX_ISSUES) }, (_, i) => ({
    code: 'invalid_row',
    message: view.error ?? `row ${i} was rejected`,
    rowIndex: i,
    severity: 'ERROR',
    identifier: `asset-${i}`,
  }));
  const terminal = ended || view.state === 'failed' || view.state === 'canceled';
  return {
    taskId: view.id,
    mode: 'INGEST',
    status: STATUS[view.state],
    progress,
    progressPercent: Math.round(progress * 100),
    syncMode: 'DELTA',
    counts: { received: total, inserted: Math.max(0, done - failed), updated: 0, skipped: 0, failed },
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
    completedAt: terminal ? (view.completedAt ?? view.updatedAt).toISOString() : null,
    error: view.state === 'failed' ? (view.error ?? 'the import failed') : (view.error ?? null),
    issues: {
      data: issues,
      pagination: { page: 1, pageSize: MAX_ISSUES, total: issues.length, totalPages: 1, hasMore: false },
    },
  };
}

/** Serves Layer IQ tasks at `/tasks/:taskId` (the assumed status path) for the testing kit. */
export const layerIqFake: VendorFake<'task', string> = {
  vendor: 'layer-iq',
  baseUrl: 'https://api.layer-iq.com/api/v1/public',
  kinds: { task: { path: '/tasks/:taskId', render } },
  outcomes: ['succeeded', 'partial', 'failed', 'canceled'],
  ref: (_kind, taskId) => taskId,
  taskId: (n) => `run_${String(n).padStart(6, '0')}`,
  // Layer IQ documents no rate-limit header; the standard one is what a client can rely on.
  rateLimitHeaders: (seconds) => ({ 'Retry-After': String(seconds) }),
  // The error envelope is not documented (the excerpt breaks off at "the standard …"): an
  // assumed `{ error: { code, message } }`, with the one code the docs name (FEATURE_NOT_AVAILABLE).
  errorBody: (status, message) => ({
    body: { error: { code: errorCode(status), message } },
    contentType: 'application/json',
  }),
  webhook,
};

const EVENT_MODE: Record<string, string> = {
  INGEST: 'ingest',
  NORMALIZE: 'normalize',
  UPDATE: 'bulk_update',
  DELETE: 'bulk_delete',
};

/**
 * Layer IQ's `WebhookEvent` for a task that ended `COMPLETE` or `FAILED` (it pushes nothing else,
 * so a canceled task sends none), signed as `X-LayerIQ-Signature: t=<unix>,v1=<hex>`.
 */
async function webhook(ended: FakeWebhookInput): Promise<FakeWebhook | undefined> {
  const task = ended.payload as Record<string, unknown>;
  const status = task.status;
  if (status !== 'COMPLETE' && status !== 'FAILED') return undefined;
  const mode = String(task.mode);
  const event = {
    id: ended.deliveryId,
    type: `asset.${EVENT_MODE[mode] ?? mode.toLowerCase()}.${status === 'COMPLETE' ? 'completed' : 'failed'}`,
    createdAt: (ended.view.completedAt ?? ended.view.updatedAt).toISOString(),
    data: { taskId: task.taskId, taskUrl: ended.path, mode, status, counts: task.counts, error: task.error ?? null },
  };
  const body = JSON.stringify(event);
  const signature = await signWebhook({ payload: body, secret: ended.secret });
  return { body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature } };
}

function errorCode(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FEATURE_NOT_AVAILABLE';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 400 || status === 422) return 'VALIDATION_ERROR';
  return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
}
