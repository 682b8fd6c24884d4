import { AppConfig } from '../../config/app-config';

/**
 * Secrets shorter than this are not scrubbed: replacing every "pg" or "dev" in every log line
 * would garble the logs and protect nothing worth protecting.
 */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * A last line of defence for every log line: each secret the service knows (ADMIN_API_KEY,
 * OPENAI_API_KEY, the passwords in DATABASE_URL and REDIS_URL) is replaced by `***` wherever it
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

function knownSecrets(config: AppConfig): string[] {
  return [
    config.ADMIN_API_KEY,
    config.OPENAI_API_KEY,
    urlPassword(config.DATABASE_URL),
    urlPassword(config.REDIS_URL),
  ].filter((secret): secret is string => Boolean(secret));
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
