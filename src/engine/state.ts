/**
 * glance-barclamp's own state inside the root: the apply lock, the generated database password,
 * the record of the last db sync, and backups of what the last applies replaced.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { STATE_DIR } from "../core/plan/conventions.js";
import type { Root } from "./root.js";

export interface StatePaths {
  dir: string;
  lock: string;
  secrets: string;
  backups: string;
  dbSync: string;
}

/** Resolves (and, with create, makes, 0700) the state directory inside the root. */
export const statePaths = (root: Root, create: boolean): StatePaths => {
  const dir = root.resolve(STATE_DIR, { followFinal: true });
  if (create) {
    // Parents the root lacks (var, var/lib) are the system's kind of directory: 0755.
    mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  return {
    dir,
    lock: `${dir}/apply`,
    secrets: `${dir}/secrets`,
    backups: `${dir}/backups`,
    dbSync: `${dir}/db-sync.json`,
  };
};
