/**
 * Atomic file replacement that never follows a symlink: write a temporary file beside the target
 * (created exclusively, never through a link), set its mode and owner, flush it, rename it over the
 * target (which replaces a symlink itself, not what it points to), and flush the directory. A crash
 * at any moment leaves the old file or the new one, plus at most a temporary file that the next
 * apply removes. (write-file-atomic resolves the target with realpath, so a planted symlink would
 * redirect its write; hence this.)
 */
import { constants } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const TEMP_SUFFIX = ".glance-barclamp-tmp";

/** The temporary name used for `path`: hidden, and ignored by cron (a dot) and systemd (suffix). */
export const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}${TEMP_SUFFIX}`);

export interface WriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
}

export const writeFileAtomic = async (path: string, data: string | Buffer, options: WriteOptions): Promise<void> => {
  const temp = tempPathFor(path);
  await rm(temp, { force: true });
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode);
  try {
    await handle.writeFile(data);
    if (options.uid !== undefined && options.gid !== undefined) await handle.chown(options.uid, options.gid);
    // After chown, which may clear set-id bits; and regardless of the umask applied at creation.
    await handle.chmod(options.mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  await syncDirectory(dirname(path));
};

export const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};
