/**
 * Webhook delivery for the loopback server: when a fake task ends, its vendor's fake makes the
 * push (Layer IQ's signed event) and the server POSTs it to the endpoint it was given.
 *
 * @module
 */
import { ConfigError, isTerminal } from '../index.js';
import type { FakeKind } from './fake.js';
import { joinUrl } from './paths.js';
import type { AnyFakeTask } from './task.js';

/** Where the fake server POSTs the vendors' webhooks. */
export interface FakeWebhookOptions {
  /** The endpoint, e.g. `http://127.0.0.1:8080/hooks/layer-iq`. */
  url: string;
  /** The endpoint's signing secret. */
  secret: string;
  /** Hold each delivery back this long after the task ends, in ms (a vendor's queue). Default 0. */
  delayMs?: number;
}

/** One webhook the fake server sent. */
export interface FakeDelivery {
  /** When it was sent (ms since the epoch). */
  at: number;
  /** The task it reports. */
  taskId: string;
  /** The endpoint's answer, or `failed` when none came (refused, reset, no answer within 10 s). */
  status: number | 'failed';
}

const DELIVERY_TIMEOUT_MS = 10_000;

/** Sends each task's end once: on time when only time moves its life, else once a poll sees it. */
export class WebhookSender {
  readonly deliveries: FakeDelivery[] = [];
  readonly #options: FakeWebhookOptions;
  readonly #base: () => URL;
  readonly #closing: AbortSignal;
  readonly #timers = new Map<AnyFakeTask, { at: number; timer: ReturnType<typeof setTimeout> }>();
  readonly #sent = new Set<AnyFakeTask>();
  #count = 0;

  constructor(options: FakeWebhookOptions, base: () => URL, closing: AbortSignal) {
    if (!options || typeof options.url !== 'string' || !URL.canParse(options.url)) {
      throw new ConfigError('webhooks.url', 'webhooks.url must be the absolute URL of the endpoint to POST to');
    }
    if (typeof options.secret !== 'string' || options.secret === '') {
      throw new ConfigError('webhooks.secret', "webhooks.secret must be the endpoint's signing secret");
    }
    const delay = options.delayMs ?? 0;
    if (typeof delay !== 'number' || !(delay >= 0 && delay <= 2 ** 31 - 1)) {
      throw new ConfigError('webhooks.delayMs', 'webhooks.delayMs must be a number of ms, at least 0');
    }
    this.#options = options;
    this.#base = base;
    this.#closing = closing;
  }

  /** A task was added or answered: send its end now, or time it, once that is known. */
  track(task: AnyFakeTask): void {
    if (!task.fake.webhook || this.#sent.has(task) || this.#closing.aborted) return;
    const endsAt = task.endsAt;
    const armed = this.#timers.get(task);
    if (endsAt === undefined || armed?.at === endsAt) return;
    if (armed) clearTimeout(armed.timer);
    const delay = Math.max(1, endsAt + (this.#options.delayMs ?? 0) - Date.now());
    this.#timers.set(task, { at: endsAt, timer: setTimeout(() => void this.#send(task), delay) });
  }

  /** Clears every timer; deliveries in flight end with the server's closing signal. */
  close(): void {
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #send(task: AnyFakeTask): Promise<void> {
    this.#timers.delete(task);
    const { view, body } = task.peek();
    if (!isTerminal(view.state)) {
      // A timer may fire a little before Date.now() reaches its time (libuv's clock is cached).
      this.track(task);
      return;
    }
    this.#sent.add(task);
    const own = (task.fake.kinds[task.kind] as FakeKind).path.replace(':taskId', encodeURIComponent(task.id));
    const path = new URL(joinUrl(this.#base().href, own)).pathname;
    this.#count += 1;
    const hook = await task.fake.webhook?.({
      payload: body,
      view,
      path,
      secret: this.#options.secret,
      deliveryId: `evt_fake_${String(this.#count).padStart(6, '0')}`,
    });
    if (!hook || this.#closing.aborted) return;
    const at = Date.now();
    const stop = new AbortController();
    const abort = () => stop.abort();
    this.#closing.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, DELIVERY_TIMEOUT_MS);
    let status: number | 'failed' = 'failed';
    try {
      const response = await fetch(this.#options.url, {
        method: 'POST',
        headers: hook.headers,
        body: hook.body,
        signal: stop.signal,
      });
      status = response.status;
      await response.body?.cancel();
    } catch {
      // Recorded as failed: the endpoint refused, reset or did not answer in time.
    } finally {
      clearTimeout(timer);
      this.#closing.removeEventListener('abort', abort);
    }
    this.deliveries.push({ at, taskId: task.id, status });
  }
}
