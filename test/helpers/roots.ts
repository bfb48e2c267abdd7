import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** Temporary directories made by this test file; test/setup.ts removes them after it. */
export const createdRoots: string[] = [];

export const newRoot = (prefix = "gb-root-"): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  createdRoots.push(dir);
  return dir;
};

export interface Entry {
  type: "file" | "dir" | "link";
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  sha?: string;
  target?: string;
}

/** Every entry under `root`, without following links: type, mode, owner, mtime and content hash. */
export const snapshot = (root: string, options: { skip?: (path: string) => boolean } = {}): Map<string, Entry> => {
  const out = new Map<string, Entry>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const path = `/${relative(root, full)}`;
      if (options.skip?.(path) === true) continue;
      const stat = lstatSync(full, { bigint: true });
      const base = { mode: Number(stat.mode & 0o7777n), uid: Number(stat.uid), gid: Number(stat.gid), mtimeNs: stat.mtimeNs };
      if (stat.isSymbolicLink()) out.set(path, { type: "link", ...base, target: readlinkSync(full) });
      else if (stat.isDirectory()) {
        out.set(path, { type: "dir", ...base });
        walk(full);
      } else out.set(path, { type: "file", ...base, sha: createHash("sha256").update(readFileSync(full)).digest("hex") });
    }
  };
  walk(root);
  return out;
};

/** Snapshot without times: what the content and metadata are, not when they were written. */
export const shape = (snap: Map<string, Entry>): Record<string, Omit<Entry, "mtimeNs">> =>
  Object.fromEntries([...snap].map(([path, { mtimeNs: _mtime, ...rest }]) => [path, rest]));

export const writeJson = (path: string, value: unknown): string => {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
};

const STATE = "/var/lib/glance-barclamp";
export const notState = (path: string): boolean => path === STATE || path.startsWith(`${STATE}/`);
