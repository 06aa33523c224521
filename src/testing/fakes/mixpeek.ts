/**
 * The Mixpeek fake: renders a canonical state as Mixpeek's `TaskResponse`.
 *
 * @module
 */
import type { TaskState } from '../../index.js';
import type { FakeTaskView, VendorFake } from '../fake.js';

// Mixpeek has no word for `canceling` (a kill is immediate); the task is still IN_PROGRESS then.
const STATUS: Record<TaskState, string> = {
  queued: 'PENDING',
  running: 'PROCESSING',
  blocked: 'DRAFT',
  canceling: 'IN_PROGRESS',
  unknown: 'UNKNOWN',
  succeeded: 'COMPLETED',
  partial: 'COMPLETED_WITH_ERRORS',
  failed: 'FAILED',
  canceled: 'CANCELED',
  skipped: 'SKIPPED',
};

function render(view: FakeTaskView): Record<string, unknown> {
  const additional: Record<string, unknown> = { job_id: `ray_job_${view.id}` };
  if (view.progress !== undefined) {
    const total = view.totalItems ?? 100;
    additional.progress = {
      processed_documents: Math.round(view.progress * total),
      total_documents: total,
      percentage: view.progress * 100,
    };
  }
  const failing = view.state === 'failed' || view.state === 'partial';
  if (failing && view.error) additional.error = view.error;
  const body: Record<string, unknown> = {
    task_id: view.id,
    task_type: 'api_buckets_batches_process',
    status: STATUS[view.state],
    inputs: [`batch_${view.id}`],
    outputs: null,
    additional_data: additional,
  };
  if (view.state === 'succeeded') body.outputs = [`document_${view.id}`];
  if (view.state === 'partial') {
    const total = view.totalItems ?? 100;
    const failed = view.failedItems ?? 1;
    // The shape of the spec's own `outputs` example.
    body.outputs = [{ failed_count: failed, processed_count: total, success_rate: (total - failed) / total }];
  }
  // The docstring example flattens the failure into `error_message`.
  if (failing && view.error) body.error_message = view.error;
  return body;
}

/** Serves Mixpeek tasks at `/v1/tasks/:taskId` for the testing kit. */
export const mixpeekFake: VendorFake<'task'> = {
  vendor: 'mixpeek',
  kinds: { task: { path: '/v1/tasks/:taskId', render } },
  outcomes: ['succeeded', 'partial', 'failed', 'canceled', 'skipped'],
  ref: (_kind, taskId) => taskId,
  // Mixpeek documents no rate-limit header; the standard one is what a client can rely on.
  rateLimitHeaders: (seconds) => ({ 'Retry-After': String(seconds) }),
  // ErrorResponse { success, status, error: ErrorDetail { message, type, details? } }.
  errorBody: (status, message) => ({
    body: { success: false, status, error: { message, type: errorType(status) } },
    contentType: 'application/json',
  }),
};

function errorType(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 422) return 'validation_error';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'internal_error' : 'bad_request';
}
