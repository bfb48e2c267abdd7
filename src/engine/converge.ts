/**
 * Converges a root to a plan. Every resource is inspected first, in phase order, by the executor of
 * its kind (compare before write); only then, and only without dry run, are the changes made, in
 * the same order. A second run finds nothing to do and touches nothing.
 */
import type { Resource, ResourceKind } from "../core/plan/types.js";
import { Backup, newBackupId } from "./backup.js";
import { absent } from "./executors/absent.js";
import { database } from "./executors/database.js";
import { dbSync } from "./executors/db-sync.js";
import { directory } from "./executors/directory.js";
import { file } from "./executors/file.js";
import { images } from "./executors/images.js";
import { keystone } from "./executors/keystone.js";
import { service } from "./executors/service.js";
import { fromSystemError } from "../errors.js";
import { isPending, type Change, type ConvergeContext, type Executor, type Inspection } from "./types.js";

/** One executor per resource kind: the compiler checks that the table covers every kind. */
const EXECUTORS: { [K in ResourceKind]: Executor<K> } = {
  directory,
  file,
  absent,
  database,
  "db-sync": dbSync,
  keystone,
  service,
  images,
};

const inspectResource = async (resource: Resource, context: ConvergeContext): Promise<Inspection> =>
  (EXECUTORS[resource.kind] as Executor<typeof resource.kind>)(resource, context);

export interface ConvergeResult {
  changes: Change[];
  backup: string | undefined;
}

/** Inspects everything, then (unless dryRun) applies the pending changes in phase order. */
/** Steps that can take seconds (a migration, a remote server, downloads): announced as they start. */
const SLOW_KINDS: ReadonlySet<string> = new Set(["database", "db-sync", "keystone", "images", "service"]);

export const converge = async (context: ConvergeContext, dryRun: boolean): Promise<ConvergeResult> => {
  const inspections: Inspection[] = [];
  for (const resource of context.plan.resources) {
    const inspection = await inspectResource(resource, context);
    if (isPending(inspection)) context.pending.add(inspection.id);
    inspections.push(inspection);
  }
  const changes = inspections.map(({ apply: _apply, ...change }) => change);
  if (dryRun) return { changes, backup: undefined };
  // The manifest keeps what restarts on which file, so that a rollback restarts as apply would.
  const services = context.plan.resources.flatMap((r) =>
    r.kind === "service" ? [{ unit: r.unit, inputs: r.restartOn.filter((id) => id.startsWith("file:")).map((id) => id.slice("file:".length)) }] : [],
  );
  const backup = new Backup(newBackupId(), context.state, { proposal: context.plan.proposal, node: context.plan.node, services });
  context.backup = backup;
  let failure: Error | undefined;
  try {
    for (const inspection of inspections) {
      if (inspection.apply === undefined) continue;
      if (SLOW_KINDS.has(inspection.kind)) context.log.progress?.(`${inspection.action} ${inspection.kind} ${inspection.target}`);
      try {
        await inspection.apply();
      } catch (error) {
        throw fromSystemError(error, `${inspection.action} ${inspection.target}`);
      }
      context.log.info({ resource: inspection.id, action: inspection.action, details: inspection.details }, `${inspection.action} ${inspection.target}`);
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  try {
    backup.finish();
  } catch (error) {
    // A backup that cannot be finished (a full disk) must not hide why the apply stopped.
    if (failure === undefined) throw fromSystemError(error, `finish the backup ${backup.id}`);
    context.log.warn({ backup: backup.id, error: String(error) }, "the backup of this apply could not be completed");
  }
  if (failure !== undefined) throw failure;
  return { changes, backup: backup.entries.length > 0 ? backup.id : undefined };
};
