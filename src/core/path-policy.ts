/**
 * The one path policy (README "Path policy"): where a proposal may make glance-barclamp write, and
 * what it may hand to the `glance` user. Used by validation (with the field and a path that would
 * work), by the secret and CA fields (what may be read), and by the directory executor, which
 * refuses to chown a system directory whatever plan it is given.
 */
import { posix } from "node:path";
import { CRON_DIR, STATE_DIR, SYSTEMD_DIR } from "./plan/conventions.js";

/** Kernel interfaces and device nodes: no path field may point into them. */
const KERNEL_TREES = ["/proc", "/sys", "/dev"] as const;

/** Trees the package manager and the boot loader own: nothing of Glance's is created in them. */
const PACKAGE_TREES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot"] as const;

/**
 * Directories the system owns and other programs trust; named so that the executor can refuse them
 * even if a plan that bypassed validation asked for them. Any top-level directory is one too.
 */
const SYSTEM_DIRECTORIES = new Set([
  "/etc",
  CRON_DIR,
  SYSTEMD_DIR,
  "/etc/systemd",
  "/var",
  "/var/lib",
  "/var/log",
  "/var/cache",
  "/var/spool",
  "/var/tmp",
  "/var/mail",
  "/var/backups",
  "/var/www",
  "/var/opt",
  "/var/local",
  "/run",
  "/var/run",
  "/run/lock",
  "/var/lock",
  "/tmp",
  "/home",
  "/root",
  "/srv",
  "/opt",
  "/mnt",
  "/media",
]);

const isSameOrInside = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

const inAny = (path: string, trees: readonly string[]): string | undefined => trees.find((tree) => isSameOrInside(path, tree));

/** A path one of whose components names Glance (glance, glance-api, openstack-glance ...). */
const namesGlance = (path: string): boolean => path.split("/").some((part) => /glance/iu.test(part));

/**
 * Directories other programs read every file of (cron, systemd, sudo, logrotate, the *.d drop-in
 * folders under /etc): a file of ours there would be parsed, or run, as theirs. Glance's own
 * drop-in folders (glance-api.conf.d) are Glance's.
 */
const includeDirectoryOf = (path: string): string | undefined => {
  // SYSTEMD_DIR lies inside it.
  if (isSameOrInside(path, "/etc/systemd")) return "/etc/systemd";
  if (!path.startsWith("/etc/")) return undefined;
  const parts = path.split("/").slice(2, -1);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (/glance/iu.test(part)) return undefined;
    if (part.endsWith(".d") || /^cron\./u.test(part) || part === "cron.d") return `/etc/${parts.slice(0, i + 1).join("/")}`;
  }
  return undefined;
};

/** Whether a directory belongs to the system: it is never created with, or given, Glance's ownership. */
export const isSystemDirectory = (path: string): boolean =>
  path === "/" || posix.dirname(path) === "/" || SYSTEM_DIRECTORIES.has(path) || inAny(path, PACKAGE_TREES) !== undefined || inAny(path, KERNEL_TREES) !== undefined;

/** Why a path may not even be read by apply (a secret file, a CA bundle), or undefined. */
export const readRefusal = (path: string): string | undefined => {
  const kernel = inAny(path, KERNEL_TREES);
  return kernel === undefined ? undefined : `is inside ${kernel}, where files are kernel interfaces or devices, not files an operator wrote`;
};

export type WrittenPathUse = "owned-directory" | "file";

/** Why a path apply would write (a file) or create and give to glance (a directory) is refused, or undefined. */
export const writeRefusal = (path: string, use: WrittenPathUse): string | undefined => {
  const read = readRefusal(path);
  if (read !== undefined) return read;
  const packaged = inAny(path, PACKAGE_TREES);
  if (packaged !== undefined) return `is inside ${packaged}, which the package manager owns`;
  if (isSameOrInside(path, STATE_DIR)) return `is inside ${STATE_DIR}, glance-barclamp's own state (lock, backups, generated passwords)`;
  const include = includeDirectoryOf(path);
  if (include !== undefined) return `is inside ${include}, whose files another program reads as its own`;
  if (use === "owned-directory" && isSystemDirectory(path)) return "is a directory the system owns: apply would hand it to the glance user";
  if (!namesGlance(path))
    return use === "owned-directory"
      ? "is not dedicated to Glance: a directory apply gives to the glance user must have Glance in its path"
      : "is not dedicated to Glance: a file apply writes must have Glance in its path (so that it cannot replace a file of the system's)";
  return undefined;
};

/** A path that would work in place of a refused one, keeping its last component. */
export const suggestPath = (path: string, use: WrittenPathUse, fallback: string): string => {
  const base = posix.basename(path);
  if (readRefusal(path) !== undefined || inAny(path, PACKAGE_TREES) !== undefined || includeDirectoryOf(path) !== undefined || isSameOrInside(path, STATE_DIR))
    return fallback;
  const candidate = use === "owned-directory" ? `${path}/glance` : `${posix.dirname(path)}/glance/${base}`;
  return writeRefusal(candidate, use) === undefined ? candidate : fallback;
};

export { isSameOrInside };
