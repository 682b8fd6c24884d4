import { randomUUID } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../common/errors/app-errors';
import { STORAGE_NAME_PATTERN, TEMP_PREFIX } from './storage.constants';

/** The file-system calls the storage makes: node's, or a spec's with a failure injected. */
export type StorageFs = Pick<
  typeof nodeFs,
  'mkdir' | 'open' | 'readFile' | 'readdir' | 'rename' | 'unlink' | 'writeFile'
>;

export const realFs: StorageFs = nodeFs;

/**
 * Every stored file starts with one fixed-size header line, `STOR1 <expiry>\n`: the expiry in
 * epoch ms, 16 digits, all zeros for "never". The expiry travels inside the file, so it is
 * written, fsynced and renamed together with the data: no second file to keep in step, nothing
 * a crash can leave half-updated.
 */
const MAGIC = 'STOR1 ';
const DIGITS = 16;
export const HEADER_BYTES = MAGIC.length + DIGITS + 1;

export function encodeHeader(expiresAt: number | null): Buffer {
  return Buffer.from(`${MAGIC}${String(expiresAt ?? 0).padStart(DIGITS, '0')}\n`, 'latin1');
}

/** The expiry a header holds (`null`: never), or `undefined` when it is not one of ours. */
export function decodeHeader(bytes: Buffer): number | null | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  const text = bytes.subarray(0, HEADER_BYTES).toString('latin1');
  if (!text.startsWith(MAGIC) || !text.endsWith('\n')) return undefined;
  const digits = text.slice(MAGIC.length, -1);
  if (!/^\d+$/.test(digits)) return undefined;
  const at = Number(digits);
  return at === 0 ? null : at;
}

/** Whether `name` is a plain file name of the allowed characters (never `.` or `..`). */
export function isValidName(name: unknown): name is string {
  return (
    typeof name === 'string' && STORAGE_NAME_PATTERN.test(name) && name !== '.' && name !== '..'
  );
}

/** Refuses (400) a name that is not a plain file name of the allowed characters. */
export function assertValidName(name: unknown): asserts name is string {
  if (!isValidName(name)) {
    throw new InvalidInputError(
      'storage name must be 1-200 of A-Z a-z 0-9 . _ - (not "." or "..")',
    );
  }
}

export const isTempName = (entry: string): boolean => entry.startsWith(TEMP_PREFIX);

/**
 * Writes `body` under `name` atomically: a temporary file in the same folder, fsynced, then
 * renamed over the real name (and the folder fsynced so the rename survives a power cut). A
 * failure at any step removes the temporary file and leaves the real name as it was.
 * Resolves to the bytes the file takes on disk.
 */
export async function writeAtomically(
  fs: StorageFs,
  dir: string,
  name: string,
  body: Buffer,
  expiresAt: number | null,
): Promise<number> {
  const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  const header = encodeHeader(expiresAt);
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writev([header, body]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, join(dir, name));
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(fs, dir);
  return header.length + body.length;
}

/** Makes a rename in `dir` durable; a platform that cannot fsync a folder is let be. */
async function syncFolder(fs: StorageFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle
    .sync()
    .catch(() => undefined)
    .finally(() => handle.close());
}

/** The header of one stored file and its size on disk, or `undefined` when it is not ours. */
export async function readEntry(
  fs: StorageFs,
  path: string,
): Promise<{ bytes: number; expiresAt: number | null } | undefined> {
  const handle = await fs.open(path, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const header = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
    const expiresAt = decodeHeader(header.subarray(0, bytesRead));
    return expiresAt === undefined ? undefined : { bytes: info.size, expiresAt };
  } finally {
    await handle.close();
  }
}

export const isMissing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
