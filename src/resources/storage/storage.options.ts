/** How the file storage is set up (built from the validated configuration in one place). */
export interface StorageOptions {
  /** Folder the files live in; relative paths are taken from the working directory. */
  directory: string;
  /** Most bytes the storage may hold, header included; a write past it answers 507. */
  quotaBytes: number;
  /** Expired files are removed this often (and at init), ms. */
  cleanupIntervalMs: number;
}
