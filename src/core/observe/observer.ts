/**
 * The one object through which the client, the transport, the HTTP layer and the poller report
 * what they do. Each event becomes a log record, a hook call, a span or span event, and a metric,
 * as the client's options ask. Where nothing observes, the client holds no observer, and where a
 * wait has nothing to report to it holds none either: every call site is then one `?.`.
 *
 * @module
 */
import type { PageContent, PageSource } from '../paging/paginator.js';
import { clip, safeUrl } from '../redact.js';
import { REQUEST_ID_HEADERS } from './headers.js';
import type { Hooks } from './hooks.js';
import type { ObserveSettings } from './options.js';
import { failSpan, MAX_ID, type RequestObserver, Watch } from './requests.js';
import { type OtelAttributes, SPAN_INTERNAL, type Telemetry } from './telemetry.js';
import { GetWatch, type TaskInfo, WaitWatch } from './waits.js';

export type { Exchange, RequestObserver } from './requests.js';
export type { StepInfo, TaskInfo, WaitObserver } from './waits.js';

/** A client's observer. A wait it has nothing to report to for gets none (see {@link Observer.wait}). */
export function createObserver(
  vendor: { name: string; requestIdHeaders?: readonly string[] | undefined },
  settings: ObserveSettings,
  redact: (text: string) => string,
): Observer {
  return new Observer(vendor.name, settings, redact, [...(vendor.requestIdHeaders ?? []), ...REQUEST_ID_HEADERS]);
}

/** A client's observer. */
export class Observer {
  readonly vendor: string;
  readonly settings: ObserveSettings;
  readonly redact: (text: string) => string;
  /** Where a response's request id is looked for: the vendor's header, then the common ones. */
  readonly requestIds: readonly string[];
  readonly #onMissing = () => {
    this.settings.log?.write('warn', 'taskwait: OpenTelemetry is set up, but @opentelemetry/api could not be loaded', {
      event: 'config',
      fix: "pass createClient(vendor, { telemetry: { api } }) with import * as api from '@opentelemetry/api'",
    });
  };

  constructor(
    vendor: string,
    settings: ObserveSettings,
    redact: (text: string) => string,
    requestIds: readonly string[],
  ) {
    this.vendor = vendor;
    this.settings = settings;
    this.redact = redact;
    this.requestIds = requestIds;
  }

  /** The telemetry in force now, if any. */
  telemetry(): Telemetry | undefined {
    return this.settings.telemetry?.get(this.#onMissing);
  }

  /** Observes a wait (`mode` `wait`) or one `poll()`; undefined when nothing would record it. */
  wait(task: TaskInfo, own: Hooks | undefined, resumed: boolean, mode: 'wait' | 'poll'): WaitWatch | undefined {
    const telemetry = this.telemetry();
    if (!this.settings.log && !this.settings.hooks && !own && !telemetry) return undefined;
    return new WaitWatch(this, telemetry, own, task, resumed, mode);
  }

  /** Observes one `get()`; undefined when nothing would record it. */
  get(task: TaskInfo): GetWatch | undefined {
    const telemetry = this.telemetry();
    if (!this.settings.log && !this.settings.hooks && !telemetry) return undefined;
    const span = telemetry?.start('taskwait.get', SPAN_INTERNAL, this.taskAttributes(task), undefined);
    return new GetWatch(this, telemetry, span);
  }

  /** Observes requests outside a wait (a vendor's own, a cancel), under the active span. */
  requests(): RequestObserver | undefined {
    const telemetry = this.telemetry();
    if (!this.settings.log && !this.settings.hooks && !telemetry) return undefined;
    return new Watch(this, telemetry, undefined, undefined, undefined);
  }

  /** `source` with a `taskwait.get` span around each page fetch, its requests under it. */
  pages<Item, Meta>(source: PageSource<Item, Meta>): PageSource<Item, Meta> {
    let number = 0;
    return {
      first: source.first,
      resume: source.resume,
      fetch: (cursor, signal) => {
        number += 1;
        const telemetry = this.telemetry();
        if (!telemetry) return source.fetch(cursor, signal);
        const span = telemetry.start(
          'taskwait.get',
          SPAN_INTERNAL,
          { 'taskwait.vendor': this.vendor, 'taskwait.page.number': number },
          undefined,
        );
        let pending: Promise<PageContent<Item, Meta>>;
        try {
          pending = telemetry.within(telemetry.under(undefined, span), () => source.fetch(cursor, signal));
        } catch (error) {
          pending = Promise.reject(error);
        }
        return pending.then(
          (page) => {
            span.setAttribute('taskwait.page.items', page.items.length);
            span.end();
            return page;
          },
          (error: unknown) => {
            failSpan(span, error, this.redact);
            throw error;
          },
        );
      },
    };
  }

  /** The attributes that name a task. */
  taskAttributes(task: TaskInfo): OtelAttributes {
    return {
      'taskwait.vendor': this.vendor,
      'taskwait.task.kind': task.kind,
      'taskwait.task.id': clip(this.redact(task.id), MAX_ID),
    };
  }

  /** `url` fit to show: no userinfo, credential-like query values masked, secrets redacted. */
  safe(url: URL): string {
    return this.redact(safeUrl(url));
  }
}
