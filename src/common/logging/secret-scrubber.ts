import { AppConfig, SENSITIVE_VARIABLES } from '../../config/app-config';

/**
 * Secrets shorter than this are not scrubbed: replacing every "pg" or "dev" in every log line
 * would garble the logs and protect nothing worth protecting.
 */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * A last line of defence for every log line: each secret the service knows (the value of every
 * sensitive variable; of a URL, its password) is replaced by `***` wherever it
 * appears — raw, percent-encoded or JSON-escaped — whatever wrote it: a client that puts the
 * admin key in a path segment, a driver error quoting a URL, a future log call that forgets.
 * Returns undefined when there is nothing to scrub, so the logger pays nothing.
 */
export function secretScrubber(config: AppConfig): ((line: string) => string) | undefined {
  const forms = new Set<string>();
  for (const secret of knownSecrets(config)) {
    if (secret.length < MIN_SCRUBBED_LENGTH) continue;
    for (const form of [secret, encodeURIComponent(secret)]) {
      forms.add(form);
      forms.add(JSON.stringify(form).slice(1, -1));
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return undefined;
  return (line) => {
    let scrubbed = line;
    for (const form of ordered)
      if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join('***');
    return scrubbed;
  };
}

/** A URL's host and user are worth keeping in logs; only its password is secret. */
const CONNECTION_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

function knownSecrets(config: AppConfig): string[] {
  const values = config as unknown as Record<string, unknown>;
  return SENSITIVE_VARIABLES.map((name) => values[name])
    .filter((value): value is string => typeof value === 'string')
    .map((value) => (CONNECTION_URL.test(value) ? urlPassword(value) : value))
    .filter((secret): secret is string => Boolean(secret));
}

/** The decoded password of a connection URL. */
function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { password } = new URL(url);
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
