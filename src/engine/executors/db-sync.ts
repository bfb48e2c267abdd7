import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { MysqlDatabaseResource } from "../../core/plan/types.js";
import { fillSecrets } from "../../core/render/secret-slots.js";
import { failureError } from "../../errors.js";
import { maskText } from "../mask.js";
import type { Executor } from "../types.js";
import { mysqlTarget } from "./database.js";
import { DB_SYNC_LOCK } from "../../db/mysql-provision.js";

interface SyncRecord {
  configHash: string;
}

/** The real glance-manage db_sync, on the live system, when the database or its configuration changed. */
export const dbSync: Executor<"db-sync"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.command.join(" ") };
  if (!resource.runsHere) return { ...base, action: "skipped", details: [resource.description] };
  if (!context.root.isSystemRoot) return { ...base, action: "skipped", details: ["staging root: the schema is synced on the live system only"] };
  const binary = resource.command[0] as string;
  if (!(context.host.exists(binary))) return { ...base, action: "skipped", details: ["Glance is not installed: no schema was created"] };
  const config = context.plan.resources.find((r) => r.kind === "file" && r.path === resource.configFile);
  const configHash = config?.kind === "file" ? createHash("sha256").update(fillSecrets(config, context.secrets)).digest("hex") : "";
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
  const database = context.plan.resources.find((r): r is MysqlDatabaseResource => r.kind === "database" && r.engine === "mysql");
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
          : await (await import("../../db/mysql-provision.js")).withMysqlLock(mysqlTarget(database, context), DB_SYNC_LOCK, 600, sync);
      const output = maskText(result.output, context.secretForms);
      context.log.info({ command: resource.command.join(" "), code: result.code, output }, "db sync");
      if (result.code !== 0)
        throw failureError("db-sync-failed", `glance-manage db_sync failed with exit code ${result.code}:\n${output.split("\n").slice(-15).join("\n")}`);
      writeFileSync(context.state.dbSync, `${JSON.stringify({ configHash } satisfies SyncRecord)}\n`, { mode: 0o600 });
    },
  };
};
