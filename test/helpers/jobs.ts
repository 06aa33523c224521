// A vendor whose jobs say when they ended (`finished`), for the detection-delay metric, and a
// way to serve a scripted sequence of answers to its task URL.
import { HttpResponse, http } from 'msw';
import type { SetupServer } from 'msw/node';
import { z } from 'zod';
import { authorization, defineTask, defineVendor, openEnum } from '../../src/index.js';

export const JOBS_BASE = 'https://api.jobs.test/v1';

const Status = openEnum(['waiting', 'working', 'done', 'broken']);
const Job = z.looseObject({
  id: z.string(),
  state: Status,
  percent: z.number().optional(),
  finished: z.string().optional(),
  failure: z.string().optional(),
});

const Item = z.looseObject({ id: z.string() });
const ItemPage = z.looseObject({ items: z.array(Item), next: z.string().nullable() });

export const jobs = defineVendor({
  name: 'jobs',
  baseUrl: JOBS_BASE,
  auth: authorization('Bearer'),
  statuses: Status.values,
  states: { waiting: 'queued', working: 'running', done: 'succeeded', broken: 'failed' },
  tasks: {
    job: defineTask({
      model: 'Job',
      schema: Job,
      status: (job) => job.state,
      snapshot: (job) => ({
        id: job.id,
        progress: job.percent === undefined ? undefined : job.percent / 100,
        completedAt: job.finished,
        error: job.failure,
      }),
    }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  requestIdHeaders: ['x-jobs-trace'],
  methods: (ctx) => ({
    /** Every item, page by page (cursor paging). */
    items: () =>
      ctx.paginate({
        first: '',
        fetch: async (cursor, signal) => {
          const { data } = await ctx.request({
            path: ['items'],
            query: { cursor: cursor === '' ? undefined : String(cursor) },
            schema: ItemPage,
            signal,
          });
          return { items: data.items, meta: undefined, next: data.next ?? undefined };
        },
      }),
  }),
});

/** Serves `answers` to GET /jobs/:id, one per request (the last repeats); returns the URLs asked for. */
export function serveJob(server: SetupServer, answers: Array<Record<string, unknown> | (() => Response)>) {
  const seen: string[] = [];
  server.use(
    http.get(`${JOBS_BASE}/jobs/:id`, ({ request, params }) => {
      seen.push(request.url);
      const next = answers[Math.min(seen.length - 1, answers.length - 1)];
      if (typeof next === 'function') return next();
      return HttpResponse.json({ id: String(params.id), ...next });
    }),
  );
  return seen;
}
