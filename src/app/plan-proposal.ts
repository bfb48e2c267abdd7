/** Shared by every command that plans: read and validate the proposal and inventory, then plan. */
import { hostname } from "node:os";
import { BarclampError, invalidError } from "../errors.js";
import { findPackagedCron } from "../engine/packaged.js";
import { openRoot } from "../engine/root.js";
import { buildPlan } from "../core/plan/build-plan.js";
import { releaseModule } from "../core/releases/index.js";
import type { Plan } from "../core/plan/types.js";
import type { Inventory } from "../core/proposal/inventory.js";
import { formatPath, locate, parseJsonDocument, type Issue } from "../core/proposal/load.js";
import type { PlanErrorDetail } from "../core/plan/parts/nodes.js";
import type { Proposal } from "../core/proposal/schema.js";
import { validateProposalText } from "../core/proposal/validate.js";
import { displayName, loadInventory, readInput } from "./inputs.js";
import { formatIssues } from "../core/proposal/format-issues.js";

export interface PlanOptions {
  inventory?: string;
  node?: string;
}

export interface PlannedProposal {
  proposal: Proposal;
  inventory: Inventory | undefined;
  plan: Plan;
  warnings: Issue[];
}

/** The proposal and its inventory read and validated; an invalid proposal is an error listing every issue. */
export const validatedProposal = (file: string, inventoryFile: string | undefined) => {
  const inventory = loadInventory(inventoryFile);
  const text = readInput(file);
  const result = validateProposalText(text, displayName(file), inventory);
  if (result.proposal === undefined || result.resolution === undefined)
    throw invalidError("invalid-proposal", `proposal ${displayName(file)} is invalid:\n${formatIssues(result.issues)}`, {
      detail: result.issues,
    });
  return { inventory, text, result: { ...result, proposal: result.proposal, resolution: result.resolution } };
};

/**
 * With `root`, cron entries a distribution package ships in that root are taken into account, so
 * that no job is scheduled twice.
 */
export const planProposal = (file: string, options: PlanOptions & { root?: string }): PlannedProposal => {
  const { inventory, text, result } = validatedProposal(file, options.inventory);
  let packagedCron: Awaited<ReturnType<typeof findPackagedCron>> | undefined;
  if (options.root !== undefined) {
    const root = openRoot(options.root);
    packagedCron = findPackagedCron(root, releaseModule(result.proposal.attributes.glance.release).periodicJobs);
  }
  let plan: Plan;
  try {
    plan = buildPlan({
      proposal: result.proposal,
      resolution: result.resolution,
      inventory,
      node: options.node ?? hostname(),
      ...(packagedCron === undefined ? {} : { packagedCron }),
    });
  } catch (error) {
    throw positioned(error, { proposal: { text, file: displayName(file) }, ...(options.inventory === undefined ? {} : { inventory: { text: readInput(options.inventory), file: options.inventory } }) });
  }
  return { proposal: result.proposal, inventory, plan, warnings: result.issues };
};

const isPlanErrorDetail = (detail: unknown): detail is PlanErrorDetail =>
  typeof detail === "object" && detail !== null && "document" in detail && "path" in detail && Array.isArray(detail.path);

/** A planning error names a field; here it gains the field's position in the file the operator edits. */
const positioned = (error: unknown, documents: Partial<Record<PlanErrorDetail["document"], { text: string; file: string }>>): unknown => {
  if (!(error instanceof BarclampError) || !isPlanErrorDetail(error.detail)) return error;
  const source = documents[error.detail.document];
  if (source === undefined) return error;
  const doc = parseJsonDocument(source.text, source.file);
  const { line, column } = locate(doc, error.detail.path);
  const path = formatPath(error.detail.path);
  const issue: Issue = { file: source.file, line, column, path, severity: "error", code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return invalidError(error.code, `${error.message} (${source.file}:${line}:${column} ${path})`, { ...(error.hint === undefined ? {} : { hint: error.hint }), detail: [issue] });
};
