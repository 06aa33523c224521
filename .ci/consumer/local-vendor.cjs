// The vendor every consumer program defines, as a user would: given the taskwait module that the
// program loaded (its ESM or CommonJS build) and zod, so each build is the one exercised.
module.exports = function localVendor({ authorization, defineTask, defineVendor, openEnum }, z) {
  const JobStatus = openEnum(['queued', 'running', 'done', 'broken']);
  const Job = z.looseObject({
    id: z.string(),
    status: JobStatus,
    percent: z.number().optional(),
    error: z.string().optional(),
  });
  return defineVendor({
    name: 'local',
    baseUrl: 'https://tasks.invalid/',
    auth: authorization('Bearer'),
    statuses: JobStatus.values,
    states: { queued: 'queued', running: 'running', done: 'succeeded', broken: 'failed' },
    tasks: {
      job: defineTask({
        model: 'Job',
        schema: Job,
        status: (job) => job.status,
        snapshot: (job) => ({
          id: job.id,
          progress: job.percent === undefined ? undefined : job.percent / 100,
          error: job.error,
        }),
      }),
    },
    ref: z.string(),
    route: (id) => ({ kind: 'job', path: ['tasks', id] }),
  });
};
