/**
 * The service's icon: a speech bubble, as SVG. Served at /favicon.ico and /favicon.svg, and
 * inlined as a data: URL where a page must load nothing (the dashboard).
 */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">' +
  '<rect x="1" y="2" width="14" height="10" rx="3" fill="#2563eb"/>' +
  '<path d="M4 12v3l3-3z" fill="#2563eb"/>' +
  '<path d="M4 6h8M4 9h5" stroke="#fff" stroke-width="1.4" stroke-linecap="round"/></svg>';

/** The icon as a data: URL, for a page's `<link rel="icon">`. */
export const FAVICON_DATA_URL = `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}`;
