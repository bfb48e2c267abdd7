import { jsonReport } from "../format/report.js";
import { ExitCode, failureError } from "../../errors.js";
import { isPending } from "../../engine/types.js";
import { describeConnection } from "../../db/connection.js";
import { openDatabase } from "../../db/database.js";
import { countImages, detectSchema } from "../../db/images.js";
import { applyProposal } from "../../app/apply-proposal.js";
import { commandLogger } from "../output.js";
import { printWarnings } from "../diagnostics.js";
import { formatReport } from "../format/apply-report.js";
import type { ApplyCommandOptions } from "../options.js";
import { databaseTarget } from "../../app/database-target.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";
import { connectionOfProposal } from "../../app/proposal-connection.js";

/** Only the database (and the directory its SQLite file lives in), like apply would. */
export const runDbProvision = async (file: string, options: ApplyCommandOptions & { printSql?: boolean }): Promise<number> => {
  if (options.printSql === true) {
    const { plan } = planProposal(file, options);
    const database = plan.resources.find((r) => r.kind === "database");
    if (database?.kind !== "database" || database.engine === "sqlite") {
      process.stdout.write(`-- SQLite: no statements; the file ${database?.kind === "database" && database.engine === "sqlite" ? database.path : ""} is created empty, glance:glance 0640\n`);
      return ExitCode.ok;
    }
    const { provisionSql } = await import("../../db/mysql-provision.js");
    const sql = provisionSql({ ...database, adminPassword: "", password: "(masked)" });
    process.stdout.write(`${sql.join("\n").replaceAll("'(masked)'", "'********'")}\n`);
    return ExitCode.ok;
  }
  const report = await applyProposal(file, options, { log: commandLogger(options), onWarnings: printWarnings }, { kinds: ["directory", "database"] });
  process.stdout.write(options.json === true ? jsonReport(report) : `${formatReport(report)}\n`);
  return ExitCode.ok;
};

/** The schema's migration version, or undefined when there is none yet (no file, no tables, not reachable yet). */
const schemaVersion = async (file: string, options: ApplyCommandOptions): Promise<string | undefined> => {
  const db = await openDatabase(connectionOfProposal(file, { ...options, root: "/" }));
  try {
    return (await detectSchema(db)).version;
  } finally {
    await db.close();
  }
};

/**
 * Runs the real glance-manage db_sync on this node, holding the MySQL lock when the database is
 * shared; says whether migrations ran by comparing the schema's version before and after.
 */
export const runDbSync = async (file: string, options: ApplyCommandOptions): Promise<number> => {
  const before = await schemaVersion(file, options).catch(() => undefined);
  const report = await applyProposal(
    file,
    { ...options, root: "/", dryRun: false },
    { log: commandLogger(options), onWarnings: printWarnings },
    { kinds: ["database", "db-sync"], forceDbSync: true },
  );
  const sync = report.changes.find((c) => c.kind === "db-sync");
  if (sync === undefined || !isPending(sync))
    throw failureError("db-sync-skipped", `the schema was not synced: ${sync?.details.join("; ") ?? "no db sync in the plan"}`, {
      hint: "install Glance (apt-get install glance-api), or run db sync on the node that migrates the schema",
    });
  const after = await schemaVersion(file, options);
  const migrations = { ran: before !== after, from: before ?? null, to: after ?? null };
  if (options.json === true) process.stdout.write(jsonReport({ ...report, migrations }));
  else
    process.stdout.write(
      `${formatReport(report)}\nmigrations: ${migrations.ran ? `ran, from ${before ?? "an empty database"} to ${after ?? "?"}` : `none needed, the schema is at ${after ?? "?"}`}\n`,
    );
  return ExitCode.ok;
};

export const runDbStatus = async (file: string | undefined, options: PlanOptions & { root: string; connection?: string; json?: boolean }): Promise<number> => {
  const info = await databaseTarget(file, options, "db status");
  const db = await openDatabase(info);
  try {
    const schema = await detectSchema(db);
    const images = await countImages(db);
    const status = { database: describeConnection(info), schema: schema.kind, migrations: schema.tool ?? "none", version: schema.version ?? null, images };
    process.stdout.write(
      options.json === true
        ? jsonReport(status)
        : `database: ${status.database}\nschema:   ${schema.kind === "current" ? "current (visibility)" : "2011.3 (is_public)"}, ${schema.tool ?? "no migration table"}${schema.version === undefined ? "" : ` at ${schema.version}`}\nimages:   ${images.active} (${images.total - images.active} deleted)\n`,
    );
  } finally {
    await db.close();
  }
  return ExitCode.ok;
};
