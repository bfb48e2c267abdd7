/**
 * Atomic file replacement that never follows a symlink: write a temporary file beside the target
 * (created exclusively, never through a link), set its mode and owner, flush it, rename it over the
 * target (which replaces a symlink itself, not what it points to), and flush the directory. A crash
 * at any moment leaves the old file or the new one, plus at most a temporary file that the next
 * apply removes. (write-file-atomic resolves the target with realpath, so a planted symlink would
 * redirect its write; hence this.) Synchronous: an apply writes a few dozen small files one after
 * another, and each asynchronous call would cost a thread-pool round trip (measured: 12 of them per
 * file).
 */
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const TEMP_SUFFIX = ".glance-barclamp-tmp";

/** The temporary name used for `path`: hidden, and ignored by cron (a dot) and systemd (suffix). */
export const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}${TEMP_SUFFIX}`);

export interface WriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
}

export const writeFileAtomic = (path: string, data: string | Buffer, options: WriteOptions): void => {
  const temp = tempPathFor(path);
  rmSync(temp, { force: true });
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode);
  try {
    writeFileSync(fd, data);
    if (options.uid !== undefined && options.gid !== undefined) fchownSync(fd, options.uid, options.gid);
    // After chown, which may clear set-id bits; and regardless of the umask applied at creation.
    fchmodSync(fd, options.mode);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  syncDirectory(dirname(path));
};

const syncDirectory = (dir: string): void => {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};
