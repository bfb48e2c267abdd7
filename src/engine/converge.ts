/**
 * Converges a root to a plan. Every resource is inspected first, in phase order, by the executor of
 * its kind (compare before write); only then, and only without dry run, are the changes made, in
 * the same order. A second run finds nothing to do and touches nothing.
 */
import { createHash } from "node:crypto";
import { chmodSync, chownSync, closeSync, constants, fchmodSync, fchownSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createTwoFilesPatch } from "diff";
import { failureError } from "../errors.js";
import { fillSecrets, maskSecrets } from "../core/render/secret-slots.js";
import type { Plan, Resource, ResourceKind } from "../core/plan/types.js";
import { SYSTEMD_DIR } from "../core/plan/build-plan.js";
import { tempPathFor, writeFileAtomic } from "./atomic-write.js";
import { Backup, newBackupId } from "./backup.js";
import { maskText, secretKeysOf } from "./mask.js";
import type { MysqlTarget } from "../db/mysql-provision.js";
import type { Ownership } from "./ownership.js";
import type { Root } from "./root.js";
import type { StatePaths } from "./state.js";

export type Action = "create" | "update" | "remove" | "unchanged" | "skipped" | "run";

export interface Change {
  id: string;
  kind: ResourceKind;
  target: string;
  action: Action;
  details: string[];
  /** Unified diff with every secret masked (files only). */
  diff?: string;
}

export const isPending = (change: Change): boolean => ["create", "update", "remove", "run"].includes(change.action);

/** What the engine needs from the host, so tests can drive it and the core stays quiet. */
export interface Host {
  /** Runs a program; resolves with its exit code and combined output. */
  run: (argv: readonly string[], timeoutMs: number) => Promise<{ code: number; output: string }>;
  /** Whether systemd manages this machine (services are only touched then, and only for root "/"). */
  systemdRunning: boolean;
  /** Whether a program exists on the live system. */
  exists: (path: string) => Promise<boolean>;
}

export interface Logger {
  info: (fields: object, message: string) => void;
  warn: (fields: object, message: string) => void;
}

export interface ConvergeContext {
  root: Root;
  plan: Plan;
  ownership: Ownership;
  secrets: ReadonlyMap<string, string>;
  secretForms: readonly string[];
  state: StatePaths;
  host: Host;
  log: Logger;
  /** Ids of resources with a pending change, filled in phase order while inspecting. */
  pending: Set<string>;
  backup: Backup | undefined;
  daemonReloaded: boolean;
  /** `db sync`: run the schema sync even when nothing it reads changed. */
  forceDbSync?: boolean;
}

interface Inspection extends Change {
  apply?: () => Promise<void>;
}

type Executor<K extends ResourceKind> = (resource: Extract<Resource, { kind: K }>, context: ConvergeContext) => Promise<Inspection>;

const mode = (text: string): number => Number.parseInt(text, 8);
const octal = (value: number): string => `0${(value & 0o7777).toString(8)}`;

// File-system calls are synchronous throughout: a few hundred tiny calls, each of which would
// otherwise wait for a thread-pool round trip.
const lstatOrUndefined = (path: string) => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

const ownershipDetails = (
  context: ConvergeContext,
  stat: { uid: number; gid: number },
  owner: string,
  group: string,
): { differs: boolean; ids: { uid: number; gid: number } | undefined; detail?: string } => {
  if (!context.ownership.enforced) return { differs: false, ids: undefined };
  const ids = context.ownership.ids(owner, group);
  const differs = stat.uid !== ids.uid || stat.gid !== ids.gid;
  return { differs, ids, ...(differs ? { detail: `owner ${stat.uid}:${stat.gid} → ${owner}:${group}` } : {}) };
};

const notAThing = (context: ConvergeContext, path: string, what: string) =>
  failureError("wrong-type", `${context.root.display(path)} exists and is not ${what}`, {
    hint: "move it away, then apply again (nothing was changed)",
  });

const directory: Executor<"directory"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = await context.root.resolve(resource.path, { followFinal: true });
  const stat = lstatOrUndefined(resolved);
  const wanted = resource.manageOwnership ? mode(resource.mode) : 0o755;
  const ids = context.ownership.enforced && resource.manageOwnership ? context.ownership.ids(resource.owner, resource.group) : undefined;
  if (stat === undefined)
    return {
      ...base,
      action: "create",
      details: [`${resource.manageOwnership ? `${resource.owner}:${resource.group} ` : ""}${octal(wanted)}`],
      apply: async () => {
        mkdirSync(resolved, { recursive: true, mode: wanted });
        chmodSync(resolved, wanted);
        if (ids !== undefined) chownSync(resolved, ids.uid, ids.gid);
      },
    };
  if (!stat.isDirectory()) throw notAThing(context, resource.path, "a directory");
  if (!resource.manageOwnership) return { ...base, action: "unchanged", details: [] };
  const details: string[] = [];
  const modeDiffers = (stat.mode & 0o7777) !== wanted;
  if (modeDiffers) details.push(`mode ${octal(stat.mode)} → ${resource.mode}`);
  const owner = ownershipDetails(context, stat, resource.owner, resource.group);
  if (owner.detail !== undefined) details.push(owner.detail);
  if (details.length === 0) return { ...base, action: "unchanged", details };
  return {
    ...base,
    action: "update",
    details,
    apply: async () => {
      if (modeDiffers) chmodSync(resolved, wanted);
      if (owner.differs && owner.ids !== undefined) chownSync(resolved, owner.ids.uid, owner.ids.gid);
    },
  };
};

/**
 * The planned content with secrets masked; a line whose secret differs from the file's is marked,
 * since both sides of the diff would otherwise show the same mask.
 */
const maskedAfter = (slotted: string, filledText: string, currentText: string | undefined): string => {
  const old = new Set(currentText?.split("\n") ?? []);
  const filledLines = filledText.split("\n");
  return slotted
    .split("\n")
    .map((line, i) => {
      const masked = maskSecrets(line);
      return masked !== line && currentText !== undefined && !old.has(filledLines[i] ?? "") ? `${masked}   [secret changed]` : masked;
    })
    .join("\n");
};

const file: Executor<"file"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = await context.root.resolve(resource.path);
  // A temporary file left by an apply that was killed mid-write.
  rmSync(tempPathFor(resolved), { force: true });
  const content = Buffer.from(fillSecrets(resource, context.secrets));
  const stat = lstatOrUndefined(resolved);
  if (stat?.isDirectory() === true) throw notAThing(context, resource.path, "a file");
  const current = stat?.isFile() === true ? readFileSync(resolved) : undefined;
  const wanted = mode(resource.mode);
  const ids = context.ownership.enforced ? context.ownership.ids(resource.owner, resource.group) : undefined;
  const details: string[] = [];
  const contentDiffers = current === undefined || !current.equals(content);
  if (stat?.isSymbolicLink() === true) details.push("replace a symbolic link with the file");
  else if (current !== undefined && contentDiffers) details.push("content");
  const modeDiffers = stat?.isFile() === true && (stat.mode & 0o7777) !== wanted;
  if (modeDiffers && stat !== undefined) details.push(`mode ${octal(stat.mode)} → ${resource.mode}`);
  const owner = stat?.isFile() === true ? ownershipDetails(context, stat, resource.owner, resource.group) : { differs: false, detail: undefined };
  if (owner.detail !== undefined) details.push(owner.detail);
  if (stat !== undefined && details.length === 0) return { ...base, action: "unchanged", details };
  const currentText = current?.toString("utf8");
  const before = currentText === undefined ? "" : maskText(currentText, context.secretForms, secretKeysOf(resource.content));
  const diff = contentDiffers
    ? createTwoFilesPatch(resource.path, resource.path, before, maskedAfter(resource.content, content.toString("utf8"), currentText), undefined, undefined, {
        context: 3,
      })
    : undefined;
  return {
    ...base,
    action: stat === undefined ? "create" : "update",
    details: stat === undefined ? [`${resource.owner}:${resource.group} ${resource.mode}`] : details,
    ...(diff === undefined ? {} : { diff }),
    apply: async () => {
      if (!contentDiffers && stat?.isFile() === true) {
        // Only metadata differs: leave the content (and its mtime) alone.
        if (modeDiffers) chmodSync(resolved, wanted);
        if (ids !== undefined && owner.differs) chownSync(resolved, ids.uid, ids.gid);
        return;
      }
      await context.backup?.save(resource.path, resolved);
      mkdirSync(dirname(resolved), { recursive: true, mode: 0o755 });
      writeFileAtomic(resolved, content, { mode: wanted, ...(ids ?? {}) });
    },
  };
};

const absent: Executor<"absent"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = await context.root.resolve(resource.path);
  // A killed apply of a plan that still wrote this file may have left its temporary beside it.
  rmSync(tempPathFor(resolved), { force: true });
  const stat = lstatOrUndefined(resolved);
  if (stat === undefined) return { ...base, action: "unchanged", details: [] };
  if (stat.isDirectory()) throw notAThing(context, resource.path, "a file");
  return {
    ...base,
    action: "remove",
    details: [resource.description],
    apply: async () => {
      await context.backup?.save(resource.path, resolved);
      rmSync(resolved, { force: true });
    },
  };
};

type MysqlResource = Extract<Resource, { kind: "database"; engine: "mysql" }>;

const mysqlTarget = (resource: MysqlResource, context: ConvergeContext): MysqlTarget => ({
  instance: resource.instance,
  host: resource.host,
  port: resource.port,
  adminUser: resource.adminUser,
  adminPassword: context.secrets.get(resource.adminPasswordSlot) ?? "",
  database: resource.database,
  user: resource.user,
  password: context.secrets.get(resource.passwordSlot) ?? "",
  privileges: resource.privileges,
});

const mysqlDatabase = async (resource: MysqlResource, context: ConvergeContext): Promise<Inspection> => {
  const { inspectMysql, runSteps } = await import("../db/mysql-provision.js");
  const target = mysqlTarget(resource, context);
  // Inspecting connects: an unreachable server or a wrong password stops the apply here, before any change.
  const steps = await inspectMysql(target);
  const kept: string[] = [];
  if (resource.previousSqlite !== undefined && lstatOrUndefined(await context.root.resolve(resource.previousSqlite)) !== undefined)
    kept.push(`the SQLite database ${resource.previousSqlite} is kept as it was (no longer used)`);
  const base = { id: resource.id, kind: resource.kind, target: `mysql://${resource.host}:${resource.port}/${resource.database}` };
  if (steps.length === 0) return { ...base, action: "unchanged", details: kept };
  return {
    ...base,
    action: steps.some((s) => s.description.startsWith("create")) ? "create" : "update",
    details: [...steps.map((s) => s.description), ...kept],
    apply: () => runSteps(target, steps),
  };
};

const database: Executor<"database"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind };
  if (resource.engine === "mysql") return mysqlDatabase(resource, context);
  const target = resource.path;
  const resolved = await context.root.resolve(resource.path);
  const stat = lstatOrUndefined(resolved);
  const wanted = mode(resource.mode);
  const ids = context.ownership.enforced ? context.ownership.ids(resource.owner, resource.group) : undefined;
  if (stat === undefined)
    return {
      ...base,
      target,
      action: "create",
      details: [`empty SQLite database ${resource.owner}:${resource.group} ${resource.mode}`],
      apply: async () => {
        mkdirSync(dirname(resolved), { recursive: true });
        // Never truncates: an existing database is not touched.
        const fd = openSync(resolved, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, wanted);
        try {
          if (ids !== undefined) fchownSync(fd, ids.uid, ids.gid);
          fchmodSync(fd, wanted);
        } finally {
          closeSync(fd);
        }
      },
    };
  if (!stat.isFile()) throw notAThing(context, resource.path, "a file");
  const details: string[] = [];
  const modeDiffers = (stat.mode & 0o7777) !== wanted;
  if (modeDiffers) details.push(`mode ${octal(stat.mode)} → ${resource.mode}`);
  const owner = ownershipDetails(context, stat, resource.owner, resource.group);
  if (owner.detail !== undefined) details.push(owner.detail);
  if (details.length === 0) return { ...base, target, action: "unchanged", details };
  return {
    ...base,
    target,
    action: "update",
    details,
    apply: async () => {
      if (modeDiffers) chmodSync(resolved, wanted);
      if (owner.differs && owner.ids !== undefined) chownSync(resolved, owner.ids.uid, owner.ids.gid);
    },
  };
};

interface SyncRecord {
  configHash: string;
}

const dbSync: Executor<"db-sync"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.command.join(" ") };
  if (!resource.runsHere) return { ...base, action: "skipped", details: [resource.description] };
  if (!context.root.isSystemRoot) return { ...base, action: "skipped", details: ["staging root: the schema is synced on the live system only"] };
  const binary = resource.command[0] as string;
  if (!(await context.host.exists(binary))) return { ...base, action: "skipped", details: ["Glance is not installed: no schema was created"] };
  const config = context.plan.resources.find((r) => r.kind === "file" && r.path === resource.configFile);
  const configHash =
    config?.kind === "file" ? createHash("sha256").update(fillSecrets(config, context.secrets)).digest("hex") : "";
  let record: SyncRecord | undefined;
  try {
    record = JSON.parse(readFileSync(context.state.dbSync, "utf8")) as SyncRecord;
  } catch {
    record = undefined;
  }
  const reasons: string[] = [];
  if (context.pending.has(`file:${resource.configFile}`)) reasons.push("its config file changed");
  if (context.pending.has("database:glance")) reasons.push("the database was created");
  if (record?.configHash !== configHash) reasons.push("it has not run with this configuration");
  if (context.forceDbSync === true) reasons.push("asked for");
  if (reasons.length === 0) return { ...base, action: "unchanged", details: [] };
  const database = context.plan.resources.find((r): r is MysqlResource => r.kind === "database" && r.engine === "mysql");
  // As root, run as the glance user (like `su glance -c glance-manage`), so that the log file and
  // anything else it creates stay writable by the services.
  const asUser = context.ownership.enforced && context.ownership.hasUser(resource.user);
  const argv = asUser ? ["setpriv", `--reuid=${resource.user}`, `--regid=${resource.user}`, "--init-groups", ...resource.command] : resource.command;
  const sync = () => context.host.run(argv, 300_000);
  return {
    ...base,
    action: "run",
    details: reasons,
    apply: async () => {
      // Several nodes may apply at once: only one migrates the shared database at a time.
      const result =
        database === undefined
          ? await sync()
          : await (await import("../db/mysql-provision.js")).withMysqlLock(mysqlTarget(database, context), "glance-barclamp-db-sync", 600, sync);
      const output = maskText(result.output, context.secretForms);
      context.log.info({ command: resource.command.join(" "), code: result.code, output }, "db sync");
      if (result.code !== 0)
        throw failureError("db-sync-failed", `glance-manage db_sync failed with exit code ${result.code}:\n${output.split("\n").slice(-15).join("\n")}`);
      writeFileSync(context.state.dbSync, `${JSON.stringify({ configHash } satisfies SyncRecord)}\n`, { mode: 0o600 });
    },
  };
};

const service: Executor<"service"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.unit };
  const triggers = resource.restartOn.filter((id) => context.pending.has(id));
  if (!context.root.isSystemRoot || !context.host.systemdRunning) {
    const why = context.root.isSystemRoot ? "systemd is not running" : "staging root";
    const would = triggers.length > 0 ? `would restart (${triggers.map((t) => t.replace(/^file:/u, "")).join(", ")} changed)` : "would enable and start";
    return { ...base, action: "skipped", details: [`${why}: ${would}`] };
  }
  const enabled = (await context.host.run(["systemctl", "is-enabled", "--quiet", resource.unit], 30_000)).code === 0;
  const active = (await context.host.run(["systemctl", "is-active", "--quiet", resource.unit], 30_000)).code === 0;
  if (enabled && active && triggers.length === 0) return { ...base, action: "unchanged", details: [] };
  const verb = !active ? "start" : triggers.length > 0 ? "restart" : "enable";
  return {
    ...base,
    action: "run",
    details: [`${enabled ? "" : "enable and "}${verb}${triggers.length > 0 ? ` (${triggers.map((t) => t.replace(/^file:/u, "")).join(", ")} changed)` : ""}`],
    apply: async () => {
      if (!context.daemonReloaded && [...context.pending].some((id) => id.startsWith(`file:${SYSTEMD_DIR}/`))) {
        await context.host.run(["systemctl", "daemon-reload"], 60_000);
        context.daemonReloaded = true;
      }
      if (!enabled) await context.host.run(["systemctl", "enable", resource.unit], 60_000);
      const result = await context.host.run(["systemctl", active && triggers.length > 0 ? "restart" : "start", resource.unit], 120_000);
      if (result.code !== 0) {
        const status = await context.host.run(["systemctl", "status", "--no-pager", "--lines=20", resource.unit], 30_000);
        throw failureError("service-failed", `${resource.unit} failed to ${verb}:\n${maskText(status.output, context.secretForms)}`, {
          hint: `journalctl -u ${resource.unit} shows the whole log`,
        });
      }
    },
  };
};

/** One executor per resource kind: the compiler checks that the table covers every kind. */
export const EXECUTORS: { [K in ResourceKind]: Executor<K> } = {
  directory,
  file,
  absent,
  database,
  "db-sync": dbSync,
  service,
};

const inspectResource = (resource: Resource, context: ConvergeContext): Promise<Inspection> =>
  (EXECUTORS[resource.kind] as Executor<typeof resource.kind>)(resource as never, context);

export interface ConvergeResult {
  changes: Change[];
  backup: string | undefined;
}

/** Inspects everything, then (unless dryRun) applies the pending changes in phase order. */
export const converge = async (context: ConvergeContext, dryRun: boolean): Promise<ConvergeResult> => {
  const inspections: Inspection[] = [];
  for (const resource of context.plan.resources) {
    const inspection = await inspectResource(resource, context);
    if (isPending(inspection)) context.pending.add(inspection.id);
    inspections.push(inspection);
  }
  const changes = inspections.map(({ apply: _apply, ...change }) => change);
  if (dryRun) return { changes, backup: undefined };
  const backup = new Backup(newBackupId(), context.state, { proposal: context.plan.proposal, node: context.plan.node });
  context.backup = backup;
  try {
    for (const inspection of inspections) {
      if (inspection.apply === undefined) continue;
      await inspection.apply();
      context.log.info({ resource: inspection.id, action: inspection.action, details: inspection.details }, `${inspection.action} ${inspection.target}`);
    }
  } finally {
    await backup.finish();
  }
  return { changes, backup: backup.entries.length > 0 ? backup.id : undefined };
};


