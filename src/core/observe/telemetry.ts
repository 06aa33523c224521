/**
 * OpenTelemetry through `@opentelemetry/api` alone, an optional peer dependency. The types here
 * are the few parts of that API taskwait calls, so that its typings never name a package the
 * user may not have; the real module fits them.
 *
 * How the API is found, in this order:
 * - `telemetry: { api }` given to `createClient`: used as given (bundles, browsers, old Node).
 * - Otherwise, once some copy of the API has registered anything global (a tracer or meter
 *   provider, a context manager: what any OpenTelemetry setup does first), the module is loaded
 *   once, synchronously, with a `require` made by `module.createRequire`, reached through
 *   `process.getBuiltinModule` (Node >= 20.16). Nothing is imported statically, so neither build
 *   needs the package, the CommonJS build needs no top-level await, a bundler sees no import to
 *   resolve, and a browser build loads nothing. Every copy of the API shares its registrations
 *   through that global, so the copy loaded here sees the application's providers.
 * - Until then, and wherever there is none, nothing is loaded and nothing is recorded.
 *
 * @module
 */

/** Attribute values as OpenTelemetry takes them. */
export type OtelAttributes = Record<string, string | number | boolean | undefined>;

/** The parts of an OpenTelemetry `Context` taskwait uses. */
export interface OtelContext {
  /** The value under `key`. */
  getValue(key: symbol): unknown;
  /** A new context with `key` set to `value`. */
  setValue(key: symbol, value: unknown): OtelContext;
  /** A new context without `key`. */
  deleteValue(key: symbol): OtelContext;
}

/** The parts of an OpenTelemetry `Span` taskwait uses. */
export interface OtelSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets several attributes. */
  setAttributes(attributes: OtelAttributes): unknown;
  /** Adds an event, such as a change of state. */
  addEvent(name: string, attributes?: OtelAttributes): unknown;
  /** Sets the status: `2` is `SpanStatusCode.ERROR`. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an error as an `exception` event (taskwait passes a redacted copy). */
  recordException(exception: { name: string; message: string; stack?: string }): void;
  /** Ends the span. */
  end(): void;
  /** Whether the span records anything (false without a provider). */
  isRecording(): boolean;
}

/** The parts of an OpenTelemetry `Tracer` taskwait uses. */
export interface OtelTracer {
  /** Starts a span under `context`. */
  startSpan(name: string, options?: { kind?: number; attributes?: OtelAttributes }, context?: OtelContext): OtelSpan;
}

/** The parts of an OpenTelemetry `Meter` taskwait uses. */
export interface OtelMeter {
  /** Makes a counter. */
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Adds `value` to the counter. */
    add(value: number, attributes?: OtelAttributes): void;
  };
  /** Makes a histogram. */
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Records one value. */
    record(value: number, attributes?: OtelAttributes): void;
  };
}

/** Something that hands out tracers: a `TracerProvider`, or the API's `trace`. */
export interface OtelTracerProvider {
  /** The tracer of an instrumentation scope (`taskwait`). */
  getTracer(name: string, version?: string): OtelTracer;
}

/** Something that hands out meters: a `MeterProvider`, or the API's `metrics`. */
export interface OtelMeterProvider {
  /** The meter of an instrumentation scope (`taskwait`). */
  getMeter(name: string, version?: string): OtelMeter;
}

/** The parts of the `@opentelemetry/api` module taskwait uses: pass the module itself. */
export interface OpenTelemetryApi {
  /** The API's `trace`: the global tracer provider, and `setSpan`. */
  trace: OtelTracerProvider & {
    /** `context` with `span` as its current span. */
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
  };
  /** The API's `context`. */
  context: {
    /** The active context. */
    active(): OtelContext;
    /** Runs `fn` with `context` active. */
    with<T>(context: OtelContext, fn: () => T): T;
  };
  /** The API's `metrics`: the global meter provider. */
  metrics: OtelMeterProvider;
}

/**
 * Where a client's spans and metrics go. By default the global providers of an OpenTelemetry
 * setup, found on their own in Node >= 20.16; `false` turns telemetry off.
 */
export interface TelemetryOptions {
  /**
   * The `@opentelemetry/api` module (`import * as api from '@opentelemetry/api'`). Needed only
   * where it can't be found on its own: in a bundle, a browser, or Node before 20.16.
   */
  api?: OpenTelemetryApi | undefined;
  /** A tracer provider to use instead of the global one. */
  tracerProvider?: OtelTracerProvider | undefined;
  /** A meter provider to use instead of the global one. */
  meterProvider?: OtelMeterProvider | undefined;
}

/** `SpanKind.INTERNAL` and `SpanKind.CLIENT`, `SpanStatusCode.ERROR`: numbers fixed by the API. */
export const SPAN_INTERNAL = 0;
export const SPAN_CLIENT = 2;
export const STATUS_ERROR = 2;

const SCOPE = 'taskwait';
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

// undefined: not looked for yet; null: looked for, and not there.
let discovered: OpenTelemetryApi | null | undefined;
// That it is not there is said once per process, not once per client.
let toldMissing = false;

/**
 * The API module, once an OpenTelemetry setup has registered itself (or at once when `force`:
 * providers were given without the module) and the module loads; null when it does not.
 */
function discover(force: boolean): OpenTelemetryApi | null | undefined {
  if (discovered !== undefined) return discovered;
  if (!force && (globalThis as Record<symbol, unknown>)[API_GLOBAL] === undefined) return undefined;
  discovered = load() ?? null;
  return discovered;
}

type GetBuiltinModule = (id: string) => { createRequire?(from: string): (id: string) => unknown } | undefined;

function load(): OpenTelemetryApi | undefined {
  try {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process?.getBuiltinModule;
    const createRequire = getBuiltin?.('node:module')?.createRequire;
    if (typeof createRequire !== 'function') return undefined;
    const api = createRequire(here())('@opentelemetry/api') as Partial<OpenTelemetryApi>;
    return typeof api?.trace?.getTracer === 'function' && typeof api.metrics?.getMeter === 'function'
      ? (api as OpenTelemetryApi)
      : undefined;
  } catch {
    return undefined;
  }
}

// The peer dependency resolves from taskwait's own place in node_modules, as an import would.
function here(): string {
  return typeof __filename === 'string' ? __filename : import.meta.url;
}

/** The instruments of a client, made on first use. */
export interface Instruments {
  polls: { add(value: number, attributes?: OtelAttributes): void };
  retries: { add(value: number, attributes?: OtelAttributes): void };
  rateLimited: { add(value: number, attributes?: OtelAttributes): void };
  waitDuration: { record(value: number, attributes?: OtelAttributes): void };
  detectionDelay: { record(value: number, attributes?: OtelAttributes): void };
}

/** A client's tracer and meter, over one API module. */
export class Telemetry {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: OtelTracer;
  readonly #meters: OtelMeterProvider;
  #instruments: Instruments | undefined;

  constructor(api: OpenTelemetryApi, options: TelemetryOptions) {
    this.#api = api;
    this.#tracer = (options.tracerProvider ?? api.trace).getTracer(SCOPE);
    this.#meters = options.meterProvider ?? api.metrics;
  }

  /** The context active now: the parent of a span started outside a wait. */
  active(): OtelContext {
    return this.#api.context.active();
  }

  /** Starts a span under `parent` (the active context when undefined). */
  start(name: string, kind: number, attributes: OtelAttributes, parent: OtelContext | undefined): OtelSpan {
    return this.#tracer.startSpan(name, { kind, attributes }, parent ?? this.#api.context.active());
  }

  /** `parent` with `span` as its current span: what a child span is started under. */
  under(parent: OtelContext | undefined, span: OtelSpan): OtelContext {
    return this.#api.trace.setSpan(parent ?? this.#api.context.active(), span);
  }

  /** Runs `fn` with `context` active, so that spans started inside it (a page's requests) are its children. */
  within<T>(context: OtelContext, fn: () => T): T {
    return this.#api.context.with(context, fn);
  }

  get instruments(): Instruments {
    if (this.#instruments === undefined) {
      const meter = this.#meters.getMeter(SCOPE);
      this.#instruments = {
        polls: meter.createCounter('taskwait.polls', {
          description: 'Polls of a task by a wait or poll(), answered or failed',
          unit: '{poll}',
        }),
        retries: meter.createCounter('taskwait.retries', {
          description: 'HTTP requests sent again after a transient fault, by reason',
          unit: '{retry}',
        }),
        rateLimited: meter.createCounter('taskwait.rate_limited', {
          description: 'HTTP responses with status 429',
          unit: '{response}',
        }),
        waitDuration: meter.createHistogram('taskwait.wait.duration', {
          description: 'How long waits took, by outcome',
          unit: 's',
        }),
        detectionDelay: meter.createHistogram('taskwait.detection.delay', {
          description: "Time from a task's end (its completedAt) to the poll that saw it",
          unit: 's',
        }),
      };
    }
    return this.#instruments;
  }
}

/**
 * A client's telemetry, found when first needed: at once when the API was given, otherwise as
 * soon as an OpenTelemetry setup has registered itself (a client made before the setup starts
 * still records once it has).
 */
export class TelemetrySource {
  readonly #options: TelemetryOptions;
  #telemetry: Telemetry | undefined;

  constructor(options: TelemetryOptions) {
    this.#options = options;
  }

  /** The telemetry, or undefined while there is none. `onMissing` is called (once per process) if the API can't be loaded. */
  get(onMissing: () => void): Telemetry | undefined {
    if (this.#telemetry !== undefined) return this.#telemetry;
    const { api: given, tracerProvider, meterProvider } = this.#options;
    const api = given ?? discover(tracerProvider !== undefined || meterProvider !== undefined);
    if (api === null) {
      if (!toldMissing) {
        toldMissing = true;
        onMissing();
      }
      return undefined;
    }
    if (api === undefined) return undefined;
    this.#telemetry = new Telemetry(api, this.#options);
    return this.#telemetry;
  }
}

/** Checks the `telemetry` option. Undefined when it is `false`. */
export function checkTelemetry(option: unknown, fail: (message: string) => never): TelemetryOptions | undefined {
  if (option === false) return undefined;
  if (option === undefined) return {};
  if (option === null || typeof option !== 'object') {
    return fail('telemetry must be false or an object such as { api } (see docs/observability.md)');
  }
  const { api, tracerProvider, meterProvider } = option as TelemetryOptions;
  if (
    api !== undefined &&
    (typeof api?.trace?.getTracer !== 'function' ||
      typeof api.trace.setSpan !== 'function' ||
      typeof api.context?.active !== 'function' ||
      typeof api.metrics?.getMeter !== 'function')
  ) {
    return fail("telemetry.api must be the @opentelemetry/api module (import * as api from '@opentelemetry/api')");
  }
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') {
    return fail('telemetry.tracerProvider must have a getTracer method');
  }
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    return fail('telemetry.meterProvider must have a getMeter method');
  }
  return { api, tracerProvider, meterProvider };
}
