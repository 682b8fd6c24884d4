/** Longest path written to a log line; longer ones are cut (a 16 KB path is not evidence). */
const MAX_LOGGED_PATH = 512;
/** Most query parameter names written to a log line. */
const MAX_LOGGED_QUERY_NAMES = 20;
/** Longest query parameter name written to a log line. */
const MAX_LOGGED_QUERY_NAME = 64;

/**
 * The parts of a request URL that may be logged: the path, and the names (never the values) of
 * the query parameters. A client may put anything in a query value — an admin key among them —
 * and an access log is read by far more people than the service's secrets should be.
 */
export function loggableUrl(url: string): { path: string; query?: string[] } {
  const mark = url.indexOf('?');
  const rawPath = mark === -1 ? url : url.slice(0, mark);
  const path = rawPath.length > MAX_LOGGED_PATH ? `${rawPath.slice(0, MAX_LOGGED_PATH)}…` : rawPath;
  if (mark === -1) return { path };
  const names = new Set<string>();
  for (const name of new URLSearchParams(url.slice(mark + 1)).keys()) {
    if (names.size === MAX_LOGGED_QUERY_NAMES) break;
    names.add(name.slice(0, MAX_LOGGED_QUERY_NAME));
  }
  return names.size > 0 ? { path, query: [...names] } : { path };
}
