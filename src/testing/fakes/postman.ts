/**
 * The Postman fake: renders a canonical state as each Postman task kind's own body.
 *
 * @module
 */
import type { TaskState } from '../../index.js';
import type { PostmanTaskKind } from '../../vendors/postman/index.js';
import type { FakeKind, FakeTaskView, VendorFake } from '../fake.js';

/** Postman's words for an unfinished, a successful and a failed task, per family of kinds. */
interface Words {
  open: string;
  done: string;
  failed: string;
}

const API_WORDS: Words = { open: 'pending', done: 'completed', failed: 'failed' };
const COLLECTION_WORDS: Words = { open: 'in-progress', done: 'successful', failed: 'failed' };
const DUPLICATE_WORDS: Words = { open: 'processing', done: 'completed', failed: 'failed' };

// Postman can't say partial, canceled or skipped: the nearest outcome stands in.
const OUTCOME: Record<TaskState, keyof Words> = {
  queued: 'open',
  running: 'open',
  blocked: 'open',
  canceling: 'open',
  unknown: 'open',
  succeeded: 'done',
  partial: 'done',
  skipped: 'done',
  failed: 'failed',
  canceled: 'failed',
};

const FAKE_API_ID = '5360b75f-447e-467c-9299-12fd6c92450d';
const FAKE_SPEC_ID = 'e726de58-f1b3-4edd-a8a7-2579dc799d39';

/** `2023-08-22 14:21:57+00:00`: the spec's own date-time form. */
function postmanDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

const failureText = (view: FakeTaskView): string => view.error ?? 'The task failed';

const apiTask: FakeKind = {
  path: '/apis/:apiId/tasks/:taskId',
  render(view) {
    const status = API_WORDS[OUTCOME[view.state]];
    const body: Record<string, unknown> = {
      id: view.id,
      meta: { url: `https://api.getpostman.com/apis/${FAKE_API_ID}/versions`, model: 'api-version', action: 'create' },
      status,
      createdAt: postmanDate(view.createdAt),
      updatedAt: postmanDate(view.updatedAt),
    };
    if (status === 'completed') {
      body.details = {
        resources: [{ id: `version-${view.id}`, url: `/apis/${FAKE_API_ID}/versions/version-${view.id}` }],
      };
    }
    if (status === 'failed') body.details = { error: { message: failureText(view) } };
    return body;
  },
};

const collectionUpdate: FakeKind = {
  path: '/collection-updates-tasks/:taskId',
  render: (view) => ({ id: view.id, status: COLLECTION_WORDS[OUTCOME[view.state]] }),
};

const collectionMerge: FakeKind = {
  path: '/collection-merges-tasks/:taskId',
  render(view) {
    const status = COLLECTION_WORDS[OUTCOME[view.state]];
    return status === 'failed'
      ? { id: view.id, status, details: { error: { message: failureText(view) } } }
      : { id: view.id, status };
  },
};

const collectionDuplicate: FakeKind = {
  path: '/collection-duplicate-tasks/:taskId',
  render(view) {
    const status = DUPLICATE_WORDS[OUTCOME[view.state]];
    return { task: { id: view.id, status, ...(status === 'failed' ? { reason: failureText(view) } : {}) } };
  },
};

const elementTask: FakeKind = {
  path: `/specs/:elementId/tasks/:taskId`,
  render(view) {
    const status = API_WORDS[OUTCOME[view.state]];
    const meta = { model: 'spec', action: 'generation' };
    // A failure takes the "Async Task Failed" form: the error text is the whole of `details`.
    if (status === 'failed') return { status, meta, details: failureText(view) };
    if (status === 'completed') {
      return { status, meta, details: { resources: [{ id: FAKE_SPEC_ID, url: `/specs/${FAKE_SPEC_ID}` }] } };
    }
    return { status, meta };
  },
};

/** The bodies of Postman's error answers: `{ error: { name, message } }`. */
const ERROR_NAMES: Record<number, string> = {
  400: 'badRequestError',
  401: 'AuthenticationError',
  403: 'forbiddenError',
  404: 'instanceNotFoundError',
  429: 'rateLimitError',
  500: 'serverError',
};

/** Serves Postman's five task kinds for the testing kit; the element kind at `/specs/:elementId/tasks/:taskId`. */
export const postmanFake: VendorFake<PostmanTaskKind> = {
  vendor: 'postman',
  kinds: {
    'api-task': apiTask,
    'collection-update': collectionUpdate,
    'collection-merge': collectionMerge,
    'collection-duplicate': collectionDuplicate,
    'element-task': elementTask,
  },
  outcomes: ['succeeded', 'failed'],
  ref(kind, taskId) {
    if (kind === 'api-task') return { apiId: FAKE_API_ID, taskId };
    if (kind === 'element-task') return { elementType: 'specs', elementId: FAKE_SPEC_ID, taskId };
    return { kind, taskId };
  },
  rateLimitHeaders: (seconds) => ({
    'X-RateLimit-Limit': '300',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-RetryAfter': String(seconds),
    RetryAfter: String(seconds),
  }),
  errorBody: (status, message) => ({
    body: { error: { name: ERROR_NAMES[status] ?? 'serverError', message } },
    contentType: 'application/json',
  }),
};
