// An OpenTelemetry setup as an application would make one, recording into memory: a tracer
// provider with an in-memory exporter, a meter provider with a reader collected on demand, and
// an AsyncLocalStorage context manager, all registered globally.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll } from 'vitest';

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A metric point as a test compares it. */
export interface Point {
  name: string;
  unit: string;
  attributes: Record<string, unknown>;
  /** A counter's sum, or a histogram's count. */
  value: number;
  /** A histogram's sum. */
  sum?: number;
}

export function inMemoryOtel() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    exporter,
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    /** Every metric point collected so far. */
    async points(): Promise<Point[]> {
      const { resourceMetrics } = await reader.collect();
      const out: Point[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints) {
            const value = point.value as number | { count: number; sum?: number };
            out.push({
              name: metric.descriptor.name,
              unit: metric.descriptor.unit,
              attributes: { ...point.attributes },
              ...(typeof value === 'number' ? { value } : { value: value.count, sum: value.sum ?? 0 }),
            });
          }
        }
      }
      return out;
    },
    /** Everything exported, as JSON: what must hold no secret. */
    async exported(): Promise<string> {
      const spans = exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
        links: s.links,
        resource: s.resource.attributes,
      }));
      const { resourceMetrics } = await reader.collect();
      return JSON.stringify({ spans, metrics: resourceMetrics });
    },
  };
}

/** Registers an in-memory setup globally for the test file; spans are cleared after each test. */
export function useGlobalOtel() {
  const otel = inMemoryOtel();
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
  });
  afterEach(() => otel.exporter.reset());
  afterAll(async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    await otel.tracerProvider.shutdown();
    await otel.meterProvider.shutdown();
  });
  return otel;
}
