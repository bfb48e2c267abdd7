/** Shared by every command that plans: read and validate the proposal and inventory, then plan. */
import { hostname } from "node:os";
import { invalidError } from "../errors.js";
import { findPackagedCron } from "../engine/packaged.js";
import { openRoot } from "../engine/root.js";
import { buildPlan } from "../core/plan/build-plan.js";
import { releaseModule } from "../core/releases/index.js";
import type { Plan } from "../core/plan/types.js";
import type { Inventory } from "../core/proposal/inventory.js";
import type { Issue } from "../core/proposal/load.js";
import type { Proposal } from "../core/proposal/schema.js";
import { validateProposalText } from "../core/proposal/validate.js";
import { displayName, loadInventory, readInput } from "./inputs.js";
import { formatIssues } from "../cli/format/text.js";

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

/**
 * With `root`, cron entries a distribution package ships in that root are taken into account, so
 * that no job is scheduled twice.
 */
export const planProposal = async (file: string, options: PlanOptions & { root?: string }): Promise<PlannedProposal> => {
  const inventory = loadInventory(options.inventory);
  const result = validateProposalText(readInput(file), displayName(file), inventory);
  if (result.proposal === undefined || result.resolution === undefined)
    throw invalidError("invalid-proposal", `proposal ${displayName(file)} is invalid:\n${formatIssues(result.issues)}`, {
      detail: result.issues,
    });
  let packagedCron: Awaited<ReturnType<typeof findPackagedCron>> | undefined;
  if (options.root !== undefined) {
    const root = await openRoot(options.root);
    packagedCron = await findPackagedCron(root, releaseModule(result.proposal.attributes.glance.release).periodicJobs);
  }
  const plan = buildPlan({
    proposal: result.proposal,
    resolution: result.resolution,
    inventory,
    node: options.node ?? hostname(),
    ...(packagedCron === undefined ? {} : { packagedCron }),
  });
  return { proposal: result.proposal, inventory, plan, warnings: result.issues };
};
