// The testing kit's fake of the acme vendor (acme.ts), written the way a user would write one.
import type { TaskState } from '../../src/index.js';
import type { VendorFake } from '../../src/testing/index.js';

const STATUS: Record<TaskState, string> = {
  queued: 'waiting',
  running: 'working',
  blocked: 'waiting',
  canceling: 'working',
  unknown: 'mystery',
  succeeded: 'done',
  partial: 'some_failed',
  failed: 'broken',
  canceled: 'stopped',
  skipped: 'done',
};

export const acmeFake: VendorFake<'job', string> = {
  vendor: 'acme',
  baseUrl: 'https://api.acme.test/v2',
  kinds: {
    job: {
      path: '/jobs/:taskId',
      render: (view) => ({
        id: view.id,
        state: STATUS[view.state],
        ...(view.progress === undefined ? {} : { percent: Math.round(view.progress * 100) }),
        failure: view.error ?? null,
        created: view.createdAt.toISOString(),
      }),
    },
  },
  outcomes: ['succeeded', 'partial', 'failed', 'canceled'],
  ref: (_kind, taskId) => taskId,
  rateLimitHeaders: (seconds) => ({ 'X-Acme-Retry-In': String(seconds) }),
  errorBody: (status, message) => ({ body: { error: { status, message } }, contentType: 'application/json' }),
};
