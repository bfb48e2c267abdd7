import { closeSync, constants, fchmodSync, fchownSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { MysqlDatabaseResource } from "../../core/plan/types.js";
import type { MysqlTarget } from "../../db/mysql-provision.js";
import { isBarclampError } from "../../errors.js";
import type { ConvergeContext, Executor, Inspection } from "../types.js";
import { lstatOrUndefined, metadataDrift, notAThing, parseMode, wantedIds } from "./metadata.js";

export const mysqlTarget = (resource: MysqlDatabaseResource, context: ConvergeContext): MysqlTarget => ({
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

const mysqlDatabase = async (resource: MysqlDatabaseResource, context: ConvergeContext): Promise<Inspection> => {
  const { inspectMysql, runSteps, withMysqlLock, PROVISION_LOCK } = await import("../../db/mysql-provision.js");
  const target = mysqlTarget(resource, context);
  // Inspecting connects: an unreachable server or a wrong password stops the apply here, before any
  // change; a preview says what it could not inspect and goes on.
  let steps: Awaited<ReturnType<typeof inspectMysql>>;
  try {
    steps = await inspectMysql(target);
  } catch (error) {
    if (context.preview !== true || !isBarclampError(error)) throw error;
    return { id: resource.id, kind: resource.kind, target: `mysql://${resource.host}:${resource.port}/${resource.database}`, action: "skipped", details: [`not inspected: ${error.message}`] };
  }
  const kept: string[] = [];
  if (resource.previousSqlite !== undefined && lstatOrUndefined(context.root.resolve(resource.previousSqlite)) !== undefined)
    kept.push(`the SQLite database ${resource.previousSqlite} is kept as it was (no longer used)`);
  const base = { id: resource.id, kind: resource.kind, target: `mysql://${resource.host}:${resource.port}/${resource.database}` };
  if (steps.length === 0) return { ...base, action: "unchanged", details: kept };
  return {
    ...base,
    action: steps.some((s) => s.description.startsWith("create")) ? "create" : "update",
    details: [...steps.map((s) => s.description), ...kept],
    // Nodes of one proposal may provision at once (Ansible's serial batches): under a server-wide
    // lock the server is inspected again and only what is still missing runs.
    apply: () => withMysqlLock(target, PROVISION_LOCK, 120, async () => runSteps(target, await inspectMysql(target))),
  };
};

/** The database: MySQL's database, user and grants (inspected first), or an empty SQLite file for glance. */
export const database: Executor<"database"> = async (resource, context) => {
  if (resource.engine === "mysql") return mysqlDatabase(resource, context);
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = context.root.resolve(resource.path);
  const stat = lstatOrUndefined(resolved);
  const wanted = parseMode(resource.mode);
  const ids = wantedIds(context, resource.owner, resource.group);
  if (stat === undefined)
    return {
      ...base,
      action: "create",
      details: [`empty SQLite database ${resource.owner}:${resource.group} ${resource.mode}`],
      apply: () => {
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
  const drift = metadataDrift(context, stat, resource);
  if (drift.details.length === 0) return { ...base, action: "unchanged", details: [] };
  return { ...base, action: "update", details: drift.details, apply: () => drift.mend(resolved) };
};
