/**
 * Task references and task URLs for Layer IQ: where a task lives, and how the relative URLs the
 * API hands out (a 202's `Location`, a webhook's `taskUrl`, a page's `next`) are resolved.
 *
 * @module
 */
import { clip, ResponseValidationError, type TaskUrl } from '../../core/vendor.js';

/** An absolute task URL, as the client accepts it as a reference. */
export type AbsoluteTaskUrl = Extract<TaskUrl, string>;

/** A task reference: a task id, an absolute task URL, or `{ url }` relative to the base URL. */
export type LayerIqTaskRef = string | TaskUrl;

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The task status path, `tasks/{taskId}` below the base URL. Not documented by Layer IQ (an
 * assumption); a `Location` or a webhook `taskUrl` avoids relying on it.
 */
export const TASK_PATH = 'tasks';

/** The request target of a reference, as `ctx.request` takes it. */
export function targetOf(ref: LayerIqTaskRef): { url: string } | { path: string[] } {
  if (typeof ref === 'string') return SCHEME.test(ref) ? { url: ref } : { path: [TASK_PATH, ref] };
  return { url: ref.url };
}

/**
 * Resolves a URL the API gave. The docs say every path is relative to the base URL, so a path
 * such as `/tasks/t1` that is not under the base URL's path is read relative to the base URL;
 * one that is (`/api/v1/public/tasks/t1`) is kept. Anything else resolves against `current`.
 */
export function resolveApiUrl(value: string, baseUrl: string, current: string = baseUrl): AbsoluteTaskUrl {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const text = value.trim();
  let url: URL;
  try {
    if (SCHEME.test(text)) url = new URL(text);
    else if (text.startsWith('/') && !text.startsWith('//') && !text.startsWith(base.pathname)) {
      url = new URL(text.slice(1), base);
    } else url = new URL(text, current);
  } catch {
    // A URL the server gave (a Location, a page's `next`): its answer is at fault, not the caller.
    throw new ResponseValidationError({
      vendor: 'layer-iq',
      model: 'URL',
      reason: 'schema',
      issues: [{ path: [], message: `${JSON.stringify(clip(text.replace(/\/\/[^/?#]*@/, '//'), 80))} is not a URL` }],
      url: current,
      status: 200,
    });
  }
  // Userinfo is never sent, and a URL handed back to the caller (a batch's `location`) must not show it.
  url.username = '';
  url.password = '';
  return url.href as AbsoluteTaskUrl;
}
