import { readFileSync, writeFileSync } from "node:fs";
import type { MysqlDatabaseResource } from "../../core/plan/types.js";
import { failureError } from "../../errors.js";
import { maskText } from "../mask.js";
import type { Executor } from "../types.js";
import { mysqlTarget } from "./database.js";
import { DB_SYNC_LOCK } from "../../db/mysql-provision.js";
import { asUser } from "../host.js";

/** What the last schema sync ran against: the database (where it is, not its password) and Glance's version. */
interface SyncRecord {
  connection?: string;
  glance?: string;
}

/** The version of the distribution package that ships glance-manage ("unknown" where dpkg cannot say). */
const glanceVersion = async (context: Parameters<Executor<"db-sync">>[1], binary: string): Promise<string> => {
  const owner = await context.host.run(["dpkg-query", "-S", binary], 10_000);
  const name = owner.code === 0 ? owner.output.split(":")[0]?.trim() : undefined;
  if (name === undefined || name === "") return "unknown";
  const version = await context.host.run(["dpkg-query", "-W", "-f=${Version}", name], 10_000);
  return version.code === 0 ? `${name} ${version.output.trim()}` : "unknown";
};

/**
 * The real glance-manage db_sync, on the live system, when a migration can be due: the database
 * was created or is another one, Glance was upgraded, or it never ran here. A config edit alone
 * (a log level, a worker count) does not migrate anything.
 */
export const dbSync: Executor<"db-sync"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.command.join(" ") };
  if (!resource.runsHere) return { ...base, action: "skipped", details: [resource.description] };
  if (!context.root.isSystemRoot) return { ...base, action: "skipped", details: ["staging root: the schema is synced on the live system only"] };
  const binary = resource.command[0] as string;
  if (!(context.host.exists(binary))) return { ...base, action: "skipped", details: ["Glance is not installed: no schema was created"] };
  const connection = resource.database;
  const glance = await glanceVersion(context, binary);
  let record: SyncRecord | undefined;
  try {
    record = JSON.parse(readFileSync(context.state.dbSync, "utf8")) as SyncRecord;
  } catch {
    record = undefined;
  }
  const reasons: string[] = [];
  if (context.pending.has("database:glance")) reasons.push("the database was created");
  if (record?.connection === undefined) reasons.push("it has not run on this node");
  else {
    if (record.connection !== connection) reasons.push(`the database changed (${record.connection} to ${connection})`);
    if (record.glance !== glance) reasons.push(`Glance changed (${record.glance ?? "unknown"} to ${glance})`);
  }
  if (context.forceDbSync === true) reasons.push("asked for");
  if (reasons.length === 0) return { ...base, action: "unchanged", details: [] };
  const mysql = context.plan.resources.find((r): r is MysqlDatabaseResource => r.kind === "database" && r.engine === "mysql");
  // As root, run as the glance user (like `su glance -c glance-manage`), so that the log file and
  // anything else it creates stay writable by the services.
  const argv = context.ownership.enforced && context.ownership.hasUser(resource.user) ? asUser(resource.user, resource.command) : resource.command;
  const sync = () => context.host.run(argv, 300_000);
  return {
    ...base,
    action: "run",
    details: reasons,
    apply: async () => {
      // Several nodes may apply at once: only one migrates the shared database at a time.
      const result =
        mysql === undefined
          ? await sync()
          : await (await import("../../db/mysql-provision.js")).withMysqlLock(mysqlTarget(mysql, context), DB_SYNC_LOCK, 600, sync);
      const output = maskText(result.output, context.secretForms);
      context.log.info({ command: resource.command.join(" "), code: result.code, output }, "db sync");
      if (result.code !== 0)
        throw failureError("db-sync-failed", `glance-manage db_sync failed with exit code ${result.code}:\n${output.split("\n").slice(-15).join("\n")}`);
      writeFileSync(context.state.dbSync, `${JSON.stringify({ connection, glance } satisfies SyncRecord)}\n`, { mode: 0o600 });
    },
  };
};
