/**
 * Confinement: every path the plan names is resolved inside the chosen root, with chroot semantics.
 * Symlinks met on the way are followed as if the root were "/": an absolute target is taken from the
 * root, and ".." never climbs above it. No proposal value and no planted symlink can make a write,
 * a removal or a chmod land outside the root.
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { join, posix } from "node:path";
import { failureError, usageError } from "../errors.js";

const MAX_SYMLINK_HOPS = 40;

export interface Root {
  /** The root's real path ("/" for the live system). */
  path: string;
  isSystemRoot: boolean;
  /**
   * Where `path` lands inside the root. The last component is followed only with followFinal
   * (directories); a file's own symlink is replaced, never written through.
   */
  resolve: (path: string, options?: { followFinal?: boolean }) => string;
  /** The path as the operator should read it in messages (the plan's path, prefixed by the root). */
  display: (path: string) => string;
}

const isInside = (root: string, candidate: string): boolean =>
  root === "/" ? candidate.startsWith("/") : candidate === root || candidate.startsWith(`${root}/`);

export const openRoot = (rootDir: string): Root => {
  let real: string;
  try {
    real = realpathSync(rootDir);
    if (!lstatSync(real).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (error) {
    throw usageError("bad-root", `the root ${rootDir} is not a directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "create the staging directory first, or use --root /",
    });
  }
  const resolve = (path: string, options: { followFinal?: boolean } = {}): string => {
    if (!path.startsWith("/")) throw new Error(`plan paths are absolute: ${path}`);
    const queue = path.split("/").filter((p) => p !== "");
    let current = real;
    let hops = 0;
    let missing = false;
    while (queue.length > 0) {
      const part = queue.shift() as string;
      if (part === ".") continue;
      if (part === "..") {
        current = current === real ? real : posix.dirname(current);
        continue;
      }
      const next = join(current, part);
      if (missing) {
        current = next;
        continue;
      }
      const isLast = queue.length === 0;
      // Synchronous on purpose: one lstat per path component, tiny calls that a thread-pool round
      // trip each would only slow down (an apply resolves a few hundred).
      let stat;
      try {
        stat = lstatSync(next);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        missing = true;
        current = next;
        continue;
      }
      if (stat.isSymbolicLink() && (!isLast || options.followFinal === true)) {
        if (++hops > MAX_SYMLINK_HOPS) throw failureError("symlink-loop", `too many symbolic links under ${path} in ${real}`);
        const target = readlinkSync(next);
        if (target.startsWith("/")) current = real;
        queue.unshift(...target.split("/").filter((p) => p !== ""));
        continue;
      }
      current = next;
    }
    if (!isInside(real, current)) throw failureError("escape", `${path} resolves outside the root ${real}`);
    return current;
  };
  return {
    path: real,
    isSystemRoot: real === "/",
    resolve,
    display: (path) => (real === "/" ? path : `${real}${path}`),
  };
};
