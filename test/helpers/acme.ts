// A vendor defined the way a user would: one file, the public API only.
import { z } from 'zod';
import { authorization, defineTask, defineVendor, openEnum } from '../../src/index.js';

export const AcmeJobStatus = openEnum(['waiting', 'working', 'done', 'some_failed', 'broken', 'stopped']);

export const AcmeJob = z.looseObject({
  id: z.string(),
  state: AcmeJobStatus,
  percent: z.number().min(0).max(100).optional(),
  failure: z.string().nullable().optional(),
  created: z.string().optional(),
});
export type AcmeJob = z.infer<typeof AcmeJob>;

export const acme = defineVendor({
  name: 'acme',
  baseUrl: 'https://api.acme.test/v2',
  auth: authorization('Bearer'),
  statuses: AcmeJobStatus.values,
  states: {
    waiting: 'queued',
    working: 'running',
    done: 'succeeded',
    some_failed: 'partial',
    broken: 'failed',
    stopped: 'canceled',
  },
  tasks: {
    job: defineTask({
      model: 'Job',
      schema: AcmeJob,
      status: (job) => job.state,
      snapshot: (job) => ({
        id: job.id,
        progress: job.percent === undefined ? undefined : job.percent / 100,
        error: job.failure,
        createdAt: job.created,
      }),
    }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  retryAfterHeaders: ['x-acme-retry-in'],
  cancel: { method: 'POST', suffix: ['cancel'] },
});
