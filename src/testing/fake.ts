/**
 * How the testing kit renders a vendor's task payloads. Each vendor's fake (in `fakes/`) says,
 * for a canonical state, what that vendor's server would answer and at which path.
 *
 * @module
 */
import type { TaskState } from '../index.js';

/** The task as the fake server sees it at one poll. */
export interface FakeTaskView {
  /** The task id. */
  id: string;
  /** The canonical state to render in the vendor's own words. */
  state: TaskState;
  /** Progress 0..1, when the task has started. */
  progress?: number | undefined;
  /** Failure text, for `failed` and `partial`. */
  error?: string | undefined;
  /** For `partial`: how many items failed (of `total`). */
  failedItems?: number | undefined;
  totalItems?: number | undefined;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date | undefined;
  eta?: Date | undefined;
  /** 1 for the first poll of this task, 2 for the second, ... */
  poll: number;
}

/** One kind of task a vendor serves, as the fake server serves it. */
export interface FakeKind {
  /**
   * The path below the base URL, msw style, with `:taskId` naming the task id, e.g.
   * `/v1/tasks/:taskId`. Other `:params` match anything.
   */
  path: string;
  /** The JSON body for `view`, exactly as the vendor sends it. */
  render(view: FakeTaskView): unknown;
  /** Extra response headers the vendor sends with a task (e.g. a versioned content type). */
  headers?: Record<string, string>;
}

/**
 * A vendor's fake: its task kinds and the shapes of its errors.
 *
 * @typeParam Kind - the vendor's task kinds.
 * @typeParam Ref - what {@link VendorFake.ref} returns: the reference the vendor's client takes.
 */
export interface VendorFake<Kind extends string = string, Ref = unknown> {
  /** The vendor's name, as in its `defineVendor`. */
  vendor: string;
  /**
   * The vendor's production base URL (its `defineVendor` `baseUrl`): the msw handlers serve there
   * by default, so code under test needs no change. Optional: the kit knows the built-in vendors'.
   */
  baseUrl?: string;
  /** The kinds this vendor serves. */
  kinds: Record<Kind, FakeKind>;
  /** The terminal states this vendor can express (e.g. no `canceled` for SoftwareOne). */
  outcomes: readonly TaskState[];
  /** The reference a client passes to reach task `taskId` of `kind` on the fake server. */
  ref(kind: Kind, taskId: string): Ref;
  /**
   * A task id in the vendor's own format for the `n`-th fake task (1, 2, ...), for tasks made
   * without an explicit id. Optional: the kit falls back to `task-<n>`.
   */
  taskId?(n: number): string;
  /** The headers of the vendor's own 429 answer asking to retry after `seconds`. */
  rateLimitHeaders(seconds: number): Record<string, string>;
  /** The vendor's error body for `status`, and its content type. */
  errorBody(status: number, message: string): { body: unknown; contentType: string };
  /**
   * The push the vendor sends when a task ends (Layer IQ's signed webhook): the body and headers
   * to POST, or undefined when it sends none for that end. Optional: most vendors push nothing.
   */
  webhook?(ended: FakeWebhookInput): Promise<FakeWebhook | undefined>;
}

/** What a vendor's fake makes its webhook from. */
export interface FakeWebhookInput {
  /** The task's payload at its end, as a poll would get it. */
  payload: unknown;
  /** The task at its end. */
  view: FakeTaskView;
  /** The task's path from the server's origin, e.g. `/tasks/run_000001`. */
  path: string;
  /** The endpoint's signing secret. */
  secret: string;
  /** A delivery id, unique per server. */
  deliveryId: string;
}

/** A webhook delivery to POST. */
export interface FakeWebhook {
  /** The raw body, as signed. */
  body: string;
  headers: Record<string, string>;
}
