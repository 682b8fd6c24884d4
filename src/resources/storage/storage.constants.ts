/** The resource's one name: health check, `error_sources`, route, metric prefix. */
export const STORAGE_RESOURCE_NAME = 'storage';

/** Optional injection token of the file-system calls the service makes (specs inject failures). */
export const STORAGE_FS = Symbol('storage-fs');

/** A stored name: letters, digits, `.`, `_`, `-`, 1 to 200 of them (never `.` or `..`). */
export const STORAGE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Prefix of the temporary files of writes and health probes. `~` is not allowed in a stored
 * name, so a temporary file never shadows a stored one; any left by a crash go at init.
 */
export const TEMP_PREFIX = '~tmp-';

/** Health turns degraded above this share of the quota, percent. */
export const DEGRADED_ABOVE_PERCENT = 90;

/** Names the self-test writes, reads and deletes; a few, reused round after round. */
export const SELF_TEST_FILES = 4;
export const selfTestName = (round: number): string =>
  `storage-selftest.${round % SELF_TEST_FILES}`;
