// OpenTelemetry: the span tree and the metrics of a wait, a get and a walk of pages, recorded
// with the SDK's in-memory exporter and a metric reader, and no secret anywhere in them.
import * as api from '@opentelemetry/api';
import type { ReadableSpan as Span } from '@opentelemetry/sdk-trace-base';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, TaskFailedError, WaitTimeoutError } from '../../../src/index.js';
import { JOBS_BASE, jobs, serveJob } from '../../helpers/jobs.js';
import { inMemoryOtel, useGlobalOtel } from '../../helpers/otel.js';
import { useMsw } from '../../helpers/server.js';

const server = useMsw();
const global = useGlobalOtel();
const TOKEN = 'sk_live_T0pS3cretValue42';
const fast = {
  token: TOKEN,
  retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 },
  wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0, estimate: false },
};
const URL_J1 = `${JOBS_BASE}/jobs/j-1`;
const HTTP = {
  'http.request.method': 'GET',
  'url.full': URL_J1,
  'server.address': 'api.jobs.test',
  'server.port': 443,
  'taskwait.vendor': 'jobs',
};

function twoFaultsAnd429() {
  return serveJob(server, [
    () =>
      HttpResponse.json(
        { error: `upstream rejected Bearer ${TOKEN}` },
        { status: 503, headers: { 'x-jobs-trace': 'trace-503', 'x-echo': TOKEN } },
      ),
    () => new HttpResponse(`bad gateway for ${TOKEN}`, { status: 502 }),
    { state: 'working', percent: 40 },
    () => new HttpResponse('slow down', { status: 429, headers: { 'Retry-After': '0' } }),
    { state: 'done', percent: 100, finished: new Date(Date.now() - 2000).toISOString() },
  ]);
}

describe('a wait through two transient faults and a 429', () => {
  it('makes one taskwait.wait span under the caller’s span, with a client span per attempt', async () => {
    twoFaultsAnd429();
    const otel = inMemoryOtel();
    const client = createClient(jobs, {
      ...fast,
      telemetry: { api, tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    const tracer = otel.tracerProvider.getTracer('app');
    const done = await tracer.startActiveSpan('job', async (span) => {
      const result = await client.wait('j-1');
      span.end();
      return result;
    });
    expect(done.state).toBe('succeeded');

    const spans = otel.spans();
    expect(spans.map((s) => s.name)).toEqual(['GET', 'GET', 'GET', 'GET', 'GET', 'taskwait.wait', 'job']);
    const [s503, s502, ok1, s429, ok2, wait, job] = spans as [Span, Span, Span, Span, Span, Span, Span];
    const idOf = (s: Span) => s.spanContext().spanId;
    expect(wait.parentSpanContext?.spanId).toBe(idOf(job));
    for (const request of [s503, s502, ok1, s429, ok2]) {
      expect(request.parentSpanContext?.spanId).toBe(idOf(wait));
      expect(request.kind).toBe(api.SpanKind.CLIENT);
      expect(request.spanContext().traceId).toBe(job.spanContext().traceId);
    }
    expect(wait.kind).toBe(api.SpanKind.INTERNAL);

    expect(s503.attributes).toEqual({ ...HTTP, 'http.response.status_code': 503, 'error.type': '503' });
    expect(s502.attributes).toEqual({
      ...HTTP,
      'http.request.resend_count': 1,
      'http.response.status_code': 502,
      'error.type': '502',
    });
    expect(ok1.attributes).toEqual({ ...HTTP, 'http.request.resend_count': 2, 'http.response.status_code': 200 });
    expect(s429.attributes).toEqual({ ...HTTP, 'http.response.status_code': 429, 'error.type': '429' });
    expect(ok2.attributes).toEqual({ ...HTTP, 'http.request.resend_count': 1, 'http.response.status_code': 200 });

    expect(s503.status).toEqual({
      code: api.SpanStatusCode.ERROR,
      message:
        'jobs: GET https://api.jobs.test/v1/jobs/j-1 answered 503: {"error":"upstream rejected Bearer [REDACTED]"}',
    });
    expect(s429.status).toEqual({
      code: api.SpanStatusCode.ERROR,
      message: 'jobs: GET https://api.jobs.test/v1/jobs/j-1 answered 429 (rate limited): slow down',
    });
    expect(ok1.status).toEqual({ code: api.SpanStatusCode.UNSET });
    expect(ok2.status).toEqual({ code: api.SpanStatusCode.UNSET });

    expect(wait.attributes).toEqual({
      'taskwait.vendor': 'jobs',
      'taskwait.task.kind': 'job',
      'taskwait.task.id': 'j-1',
      'taskwait.resumed': false,
      'taskwait.polls': 2,
      'taskwait.outcome': 'completed',
      'taskwait.task.state': 'succeeded',
      'taskwait.task.raw_status': 'done',
    });
    expect(wait.status).toEqual({ code: api.SpanStatusCode.UNSET });
    expect(wait.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'taskwait.retry',
        {
          'taskwait.retry.reason': 'http_503',
          'taskwait.retry.delay_ms': expect.any(Number),
          'http.request.resend_count': 1,
        },
      ],
      [
        'taskwait.retry',
        {
          'taskwait.retry.reason': 'http_502',
          'taskwait.retry.delay_ms': expect.any(Number),
          'http.request.resend_count': 2,
        },
      ],
      [
        'taskwait.state_change',
        { 'taskwait.task.state': 'running', 'taskwait.task.raw_status': 'working', 'taskwait.task.progress': 0.4 },
      ],
      [
        'taskwait.retry',
        {
          'taskwait.retry.reason': 'http_429',
          'taskwait.retry.delay_ms': expect.any(Number),
          'http.request.resend_count': 1,
        },
      ],
      [
        'taskwait.state_change',
        {
          'taskwait.task.previous_state': 'running',
          'taskwait.task.state': 'succeeded',
          'taskwait.task.raw_status': 'done',
          'taskwait.task.progress': 1,
        },
      ],
    ]);
    // Retry-After: 0 adds nothing: each delay is the backoff alone, 1 ms doubling, times [1, 2), at most 2 ms.
    const delays = wait.events
      .filter((e) => e.name === 'taskwait.retry')
      .map((e) => e.attributes?.['taskwait.retry.delay_ms']);
    expect(delays.every((d) => d === 1 || d === 2)).toBe(true);
  });

  it('counts polls, retries by reason and 429s, and records the wait and detection delay', async () => {
    twoFaultsAnd429();
    const otel = inMemoryOtel();
    const client = createClient(jobs, {
      ...fast,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    await client.wait('j-1');
    const points = await otel.points();
    const task = { 'taskwait.vendor': 'jobs', 'taskwait.task.kind': 'job' };
    const counters = points.filter((p) => p.name !== 'taskwait.wait.duration' && p.name !== 'taskwait.detection.delay');
    expect(counters.sort(byKey)).toEqual(
      [
        { name: 'taskwait.rate_limited', unit: '{response}', attributes: { 'taskwait.vendor': 'jobs' }, value: 1 },
        {
          name: 'taskwait.retries',
          unit: '{retry}',
          attributes: { 'taskwait.vendor': 'jobs', 'taskwait.retry.reason': 'http_503' },
          value: 1,
        },
        {
          name: 'taskwait.retries',
          unit: '{retry}',
          attributes: { 'taskwait.vendor': 'jobs', 'taskwait.retry.reason': 'http_502' },
          value: 1,
        },
        {
          name: 'taskwait.retries',
          unit: '{retry}',
          attributes: { 'taskwait.vendor': 'jobs', 'taskwait.retry.reason': 'http_429' },
          value: 1,
        },
        { name: 'taskwait.polls', unit: '{poll}', attributes: task, value: 2 },
      ].sort(byKey),
    );
    const duration = points.find((p) => p.name === 'taskwait.wait.duration');
    expect(duration).toMatchObject({ unit: 's', attributes: { ...task, 'taskwait.outcome': 'completed' }, value: 1 });
    expect(duration?.sum).toBeLessThan(5);
    const detection = points.find((p) => p.name === 'taskwait.detection.delay');
    expect(detection).toMatchObject({ unit: 's', attributes: task, value: 1 });
    // The task said it ended 2 s before the poll that saw it.
    expect(detection?.sum).toBeGreaterThanOrEqual(2);
    expect(detection?.sum).toBeLessThan(7);
  });

  it('exports no token: not in names, attributes, events, statuses or metrics', async () => {
    twoFaultsAnd429();
    const otel = inMemoryOtel();
    const client = createClient(jobs, {
      ...fast,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    await client.wait('j-1');
    const failing = createClient(jobs, {
      ...fast,
      retry: { retries: 0 },
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    server.use(
      http.get(`${JOBS_BASE}/jobs/:id`, () => HttpResponse.json({ detail: `token=${TOKEN}` }, { status: 401 })),
    );
    await expect(failing.wait('j-2')).rejects.toThrow(/answered 401/);
    const exported = await otel.exported();
    expect(exported).toContain('answered 401');
    expect(exported).toContain('taskwait.wait');
    expect(exported).not.toContain(TOKEN);
    expect(exported).not.toContain('T0pS3cret');
  });
});

function byKey(a: { name: string; attributes: Record<string, unknown> }, b: typeof a): number {
  const key = (p: typeof a) => `${p.name} ${JSON.stringify(p.attributes)}`;
  return key(a) === key(b) ? 0 : key(a) < key(b) ? -1 : 1;
}

describe('a wait that fails', () => {
  it('ends its span with error status and the WaitTimeoutError recorded on timeout', async () => {
    serveJob(server, [{ state: 'working' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, {
      ...fast,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    await expect(client.wait('j-1', { timeoutMs: 40 })).rejects.toBeInstanceOf(WaitTimeoutError);
    const wait = otel.spans().find((s) => s.name === 'taskwait.wait');
    expect(wait?.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(wait?.status.message).toMatch(
      /^jobs task j-1 did not finish within \d+ ms after \d+ polls; last seen running \(working\)$/,
    );
    expect(wait?.attributes['taskwait.outcome']).toBe('timeout');
    expect(wait?.attributes['taskwait.task.state']).toBe('running');
    expect(wait?.events.at(-1)?.name).toBe('exception');
    expect(wait?.events.at(-1)?.attributes?.['exception.type']).toBe('WaitTimeoutError');
    const points = await otel.points();
    expect(points.find((p) => p.name === 'taskwait.wait.duration')?.attributes['taskwait.outcome']).toBe('timeout');
  });

  it('ends its span with error status and the TaskFailedError recorded when the task fails', async () => {
    serveJob(server, [{ state: 'broken', failure: 'disk full' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, { ...fast, telemetry: { tracerProvider: otel.tracerProvider } });
    await expect(client.wait('j-1')).rejects.toBeInstanceOf(TaskFailedError);
    const [request, wait] = otel.spans();
    expect(request?.status.code).toBe(api.SpanStatusCode.UNSET);
    expect(wait?.status).toEqual({
      code: api.SpanStatusCode.ERROR,
      message: 'jobs task j-1 failed (status broken): disk full',
    });
    expect(wait?.attributes['taskwait.outcome']).toBe('failed');
    expect(wait?.events.map((e) => e.name)).toEqual(['taskwait.state_change', 'exception']);
    expect(wait?.events[1]?.attributes).toMatchObject({
      'exception.type': 'TaskFailedError',
      'exception.message': 'jobs task j-1 failed (status broken): disk full',
    });
  });

  it('marks a failed task with error status but no exception when throwOnFailure is off', async () => {
    serveJob(server, [{ state: 'broken' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, { ...fast, telemetry: { tracerProvider: otel.tracerProvider } });
    await expect(client.wait('j-1', { throwOnFailure: false })).resolves.toMatchObject({ state: 'failed' });
    const wait = otel.spans().find((s) => s.name === 'taskwait.wait');
    expect(wait?.status).toEqual({ code: api.SpanStatusCode.ERROR, message: 'the task ended failed' });
    expect(wait?.events.map((e) => e.name)).toEqual(['taskwait.state_change']);
  });

  it('ends an aborted wait’s span without error status', async () => {
    serveJob(server, [{ state: 'working' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, {
      ...fast,
      wait: { minDelayMs: 1000 },
      telemetry: { tracerProvider: otel.tracerProvider },
    });
    const stop = new AbortController();
    const pending = client.wait('j-1', { signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    stop.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    const wait = otel.spans().find((s) => s.name === 'taskwait.wait');
    expect(wait?.attributes['taskwait.outcome']).toBe('aborted');
    expect(wait?.status.code).toBe(api.SpanStatusCode.UNSET);
  });
});

describe('gets, polls and pages', () => {
  it('makes a taskwait.get span for get(), its request under it', async () => {
    serveJob(server, [{ state: 'working' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, { ...fast, telemetry: { tracerProvider: otel.tracerProvider } });
    await client.get('j-1');
    const [request, get] = otel.spans();
    expect(get?.name).toBe('taskwait.get');
    expect(request?.parentSpanContext?.spanId).toBe(get?.spanContext().spanId);
    expect(get?.attributes).toEqual({
      'taskwait.vendor': 'jobs',
      'taskwait.task.kind': 'job',
      'taskwait.task.id': 'j-1',
      'taskwait.task.state': 'running',
      'taskwait.task.raw_status': 'working',
    });
  });

  it('makes a taskwait.poll span for poll(), with the decision', async () => {
    serveJob(server, [{ state: 'working' }]);
    const otel = inMemoryOtel();
    const client = createClient(jobs, { ...fast, telemetry: { tracerProvider: otel.tracerProvider } });
    const step = await client.poll('j-1');
    const poll = otel.spans().find((s) => s.name === 'taskwait.poll');
    expect(poll?.attributes).toEqual({
      'taskwait.vendor': 'jobs',
      'taskwait.task.kind': 'job',
      'taskwait.task.id': 'j-1',
      'taskwait.resumed': false,
      'taskwait.task.state': 'running',
      'taskwait.task.raw_status': 'working',
      'taskwait.polls': 1,
      'taskwait.poll.delay_ms': step.delayMs,
      'taskwait.poll.basis': 'backoff',
    });
  });

  it('makes a taskwait.get span per page of a walk, each page’s request under it', async () => {
    server.use(
      http.get(`${JOBS_BASE}/items`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        if (cursor === null) return HttpResponse.json({ items: [{ id: 'a' }, { id: 'b' }], next: 'p2' });
        return HttpResponse.json({ items: [{ id: 'c' }], next: null });
      }),
    );
    const otel = inMemoryOtel();
    const client = createClient(jobs, { ...fast, telemetry: { tracerProvider: otel.tracerProvider } });
    const ids: string[] = [];
    for await (const item of client.items()) ids.push(item.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    const pages = otel.spans().filter((s) => s.name === 'taskwait.get');
    expect(pages.map((s) => s.attributes)).toEqual([
      { 'taskwait.vendor': 'jobs', 'taskwait.page.number': 1, 'taskwait.page.items': 2 },
      { 'taskwait.vendor': 'jobs', 'taskwait.page.number': 2, 'taskwait.page.items': 1 },
    ]);
    const requests = otel.spans().filter((s) => s.name === 'GET');
    expect(requests.map((r) => r.parentSpanContext?.spanId)).toEqual(pages.map((p) => p.spanContext().spanId));
    expect(requests.map((r) => r.attributes['url.full'])).toEqual([
      `${JOBS_BASE}/items`,
      `${JOBS_BASE}/items?cursor=p2`,
    ]);
  });
});

describe('finding OpenTelemetry', () => {
  it('records to the globally registered providers with no option at all', async () => {
    serveJob(server, [{ state: 'done' }]);
    const client = createClient(jobs, fast);
    await client.wait('j-9');
    expect(global.spans().map((s) => s.name)).toEqual(['GET', 'taskwait.wait']);
    expect(global.spans()[1]?.attributes['taskwait.task.id']).toBe('j-9');
  });

  it('records nothing with telemetry: false', async () => {
    serveJob(server, [{ state: 'done' }]);
    const client = createClient(jobs, { ...fast, telemetry: false });
    await client.wait('j-9');
    await client.get('j-9');
    expect(global.spans()).toEqual([]);
  });

  it('refuses a telemetry option that is not the API', () => {
    expect(() => createClient(jobs, { telemetry: { api: {} as typeof api } })).toThrow(
      "telemetry.api must be the @opentelemetry/api module (import * as api from '@opentelemetry/api')",
    );
    expect(() => createClient(jobs, { telemetry: true as unknown as false })).toThrow(
      'telemetry must be false or an object such as { api } (see docs/observability.md)',
    );
  });
});
