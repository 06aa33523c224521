/**
 * msw-style path patterns (`/v1/tasks/:taskId`) matched without msw, and URL joining.
 *
 * @module
 */

/** A compiled path pattern: the params of a matching path, or undefined. */
export type PathMatcher = (path: string) => Record<string, string> | undefined;

/** Compiles `/a/:b/c`: `:name` matches one non-empty segment; a trailing slash is optional. */
export function compilePath(pattern: string): PathMatcher {
  const parts = split(pattern);
  return (path) => {
    const segments = split(path);
    if (segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (const [i, part] of parts.entries()) {
      const segment = segments[i] as string;
      if (part.startsWith(':')) {
        try {
          params[part.slice(1)] = decodeURIComponent(segment);
        } catch {
          return undefined;
        }
      } else if (part !== segment) {
        return undefined;
      }
    }
    return params;
  };
}

/** The path of `url` below `base`'s path (`/v1/tasks/x`), or undefined when it is not below it. */
export function pathBelow(url: URL, base: URL): string | undefined {
  if (url.origin !== base.origin) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
  return url.pathname.slice(prefix.length) || '/';
}

/** `base` + `path`, with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function split(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}
