/**
 * Backups of what an apply replaced or removed, under the state directory, for the last few
 * applies; `rollback` puts back the newest. They hold secrets: the directory is 0700 root.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import * as z from "zod";
import { failureError } from "../errors.js";
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
  /** It held secrets: restored 0640 root:glance whatever mode it had (README "Secrets"). */
  secret?: boolean;
}

/** The manifest is read back from disk, where it may have been damaged: parsed, never cast. */
const MANIFEST = z.object({
  id: z.string(),
  proposal: z.string(),
  node: z.string(),
  createdAt: z.string(),
  entries: z.array(
    z.object({
      path: z.string().startsWith("/"),
      existed: z.boolean(),
      mode: z.int().min(0).max(0o7777).optional(),
      uid: z.int().min(0).optional(),
      gid: z.int().min(0).optional(),
      secret: z.boolean().optional(),
    }),
  ),
  /** The units of that apply's plan and the files whose change restarts each (older backups: none). */
  services: z.array(z.object({ unit: z.string(), inputs: z.array(z.string()) })).optional(),
});
type BackupManifest = z.infer<typeof MANIFEST>;

export class Backup {
  readonly entries: BackupEntry[] = [];
  private readonly dir: string;

  constructor(
    readonly id: string,
    private readonly state: StatePaths,
    private readonly meta: { proposal: string; node: string; services?: Array<{ unit: string; inputs: string[] }> },
  ) {
    this.dir = join(state.backups, id);
  }

  /** Records the current state of `path` (at `resolved`) before it is changed. Once per path. */
  save(path: string, resolved: string, secret: boolean): void {
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
    writeFileAtomic(copy, readFileSync(resolved), { mode: 0o600 });
    this.entries.push({ path, existed: true, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, ...(secret ? { secret } : {}) });
  }

  finish(): void {
    if (this.entries.length === 0) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.state.backups, 0o700);
    const manifest: BackupManifest = { id: this.id, ...this.meta, createdAt: new Date().toISOString(), entries: this.entries };
    // Atomic: a full disk leaves no manifest (the backup is ignored), never an empty one.
    writeFileAtomic(join(this.dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
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

const readManifest = (path: string): BackupManifest => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw failureError("backup-corrupt", `the backup manifest ${path} cannot be read: ${error instanceof SyntaxError ? "it is not JSON" : String(error)}`, {
      hint: "nothing was restored; restore the files by hand from the files/ folder beside it, or remove that backup",
    });
  }
  const result = MANIFEST.safeParse(parsed);
  if (!result.success)
    throw failureError("backup-corrupt", `the backup manifest ${path} is damaged: ${result.error.issues[0]?.message ?? "unexpected shape"}`, {
      hint: "nothing was restored; restore the files by hand from the files/ folder beside it, or remove that backup",
    });
  return result.data;
};

/** Owner ids of a restored secret file: root, and Glance's group where it exists. */
export interface SecretOwner {
  uid: number;
  gid: number;
}

export interface BackupSummary {
  id: string;
  createdAt: string;
  proposal: string;
  node: string;
  files: number;
}

/** The backups kept, oldest first. */
export const listBackups = (state: StatePaths): BackupSummary[] =>
  backupIds(state).map((id) => {
    const manifest = readManifest(join(state.backups, id, "manifest.json"));
    return { id, createdAt: manifest.createdAt, proposal: manifest.proposal, node: manifest.node, files: manifest.entries.length };
  });

export interface RollbackResult {
  /** The applies undone, newest first. */
  ids: string[];
  restored: string[];
  removed: string[];
  /** What the restored files mean for systemd: reload it (a unit changed), restart these units (an input changed). */
  reload: boolean;
  restart: string[];
}

/**
 * Undoes the newest apply, or every apply back to `to` (newest first), each from its backup, and
 * drops those backups. Every copy is checked before the first file is put back: a damaged backup
 * restores nothing. With `dryRun`, says what it would do and writes nothing.
 */
export const rollback = (
  root: Root,
  state: StatePaths,
  options: { to?: string; dryRun?: boolean; enforceOwners: boolean; secretOwner?: SecretOwner; systemdDir: string },
): RollbackResult | undefined => {
  const ids = backupIds(state);
  if (ids.length === 0) return undefined;
  const from = options.to === undefined ? ids.length - 1 : ids.indexOf(options.to);
  if (from < 0)
    throw failureError("no-backup", `no backup ${options.to ?? ""} in ${root.path}`, { hint: `glance-barclamp rollback --list shows them (${ids.join(", ")})` });
  const chosen = ids.slice(from).reverse();
  const manifests = chosen.map((id) => ({ id, dir: join(state.backups, id), manifest: readManifest(join(state.backups, id, "manifest.json")) }));
  for (const { dir, manifest } of manifests)
    for (const entry of manifest.entries)
      if (entry.existed && !lstatSync(join(dir, "files", entry.path), { throwIfNoEntry: false })?.isFile())
        throw failureError("backup-corrupt", `the backup ${dir} lacks its copy of ${entry.path}`, { hint: "nothing was restored" });
  const result: RollbackResult = { ids: chosen, restored: [], removed: [], reload: false, restart: [] };
  const touched = new Set<string>();
  for (const { dir, manifest } of manifests) {
    for (const entry of manifest.entries) {
      touched.add(entry.path);
      const target = root.resolve(entry.path);
      if (entry.existed) {
        if (options.dryRun !== true) {
          mkdirSync(dirname(target), { recursive: true });
          const owner = entry.secret === true && options.secretOwner !== undefined ? options.secretOwner : { uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
          writeFileAtomic(target, readFileSync(join(dir, "files", entry.path)), {
            mode: entry.secret === true ? 0o640 : (entry.mode ?? 0o644),
            ...(options.enforceOwners ? owner : {}),
          });
        }
        if (!result.restored.includes(entry.path)) result.restored.push(entry.path);
      } else {
        if (options.dryRun !== true) rmSync(target, { force: true });
        if (!result.removed.includes(entry.path)) result.removed.push(entry.path);
      }
    }
    if (options.dryRun !== true) rmSync(dir, { recursive: true, force: true });
  }
  result.reload = [...touched].some((path) => path.startsWith(`${options.systemdDir}/`));
  const services = manifests.flatMap(({ manifest }) => manifest.services ?? []);
  result.restart = [...new Set(services.filter((s) => s.inputs.some((input) => touched.has(input))).map((s) => s.unit))];
  return result;
};
