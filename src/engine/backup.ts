/**
 * Backups of what an apply replaced or removed, under the state directory, for the last few
 * applies; `rollback` puts back the newest. They hold secrets: the directory is 0700 root.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import type { Root } from "./root.js";
import type { StatePaths } from "./state.js";

const KEEP_BACKUPS = 5;

export interface BackupEntry {
  /** The plan's path. */
  path: string;
  /** Whether something was there before this apply. */
  existed: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
}

interface BackupManifest {
  id: string;
  proposal: string;
  node: string;
  createdAt: string;
  entries: BackupEntry[];
}

export class Backup {
  readonly entries: BackupEntry[] = [];
  private readonly dir: string;

  constructor(
    readonly id: string,
    private readonly state: StatePaths,
    private readonly meta: { proposal: string; node: string },
  ) {
    this.dir = join(state.backups, id);
  }

  /** Records the current state of `path` (at `resolved`) before it is changed. Once per path. */
  save(path: string, resolved: string): void {
    if (this.entries.some((e) => e.path === path)) return;
    let stat;
    try {
      stat = lstatSync(resolved);
    } catch {
      this.entries.push({ path, existed: false });
      return;
    }
    if (!stat.isFile()) {
      this.entries.push({ path, existed: false });
      return;
    }
    const copy = join(this.dir, "files", path);
    mkdirSync(dirname(copy), { recursive: true, mode: 0o700 });
    writeFileSync(copy, readFileSync(resolved), { mode: 0o600 });
    this.entries.push({ path, existed: true, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid });
  }

  finish(): void {
    if (this.entries.length === 0) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.state.backups, 0o700);
    const manifest: BackupManifest = { id: this.id, ...this.meta, createdAt: new Date().toISOString(), entries: this.entries };
    writeFileSync(join(this.dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    pruneBackups(this.state);
  }
}

export const newBackupId = (): string => `${new Date().toISOString().replace(/[-:.]/gu, "")}-${process.pid}`;

const backupIds = (state: StatePaths): string[] => {
  try {
    const ids = readdirSync(state.backups);
    const complete: string[] = [];
    for (const id of ids) {
      try {
        lstatSync(join(state.backups, id, "manifest.json"));
        complete.push(id);
      } catch {
        // An apply killed before it finished its backup: nothing to restore from it.
      }
    }
    return complete.sort();
  } catch {
    return [];
  }
};

const pruneBackups = (state: StatePaths): void => {
  const ids = backupIds(state);
  for (const id of ids.slice(0, Math.max(0, ids.length - KEEP_BACKUPS))) rmSync(join(state.backups, id), { recursive: true, force: true });
};

export interface RollbackResult {
  id: string;
  restored: string[];
  removed: string[];
}

/** Restores what the newest backed-up apply changed, then drops that backup. */
export const rollbackLatest = (root: Root, state: StatePaths, enforceOwners: boolean): RollbackResult | undefined => {
  const ids = backupIds(state);
  const id = ids[ids.length - 1];
  if (id === undefined) return undefined;
  const dir = join(state.backups, id);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BackupManifest;
  const result: RollbackResult = { id, restored: [], removed: [] };
  for (const entry of manifest.entries) {
    const target = root.resolve(entry.path);
    if (entry.existed) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileAtomic(target, readFileSync(join(dir, "files", entry.path)), {
        mode: entry.mode ?? 0o644,
        ...(enforceOwners ? { uid: entry.uid ?? 0, gid: entry.gid ?? 0 } : {}),
      });
      result.restored.push(entry.path);
    } else {
      rmSync(target, { force: true });
      result.removed.push(entry.path);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
};
