/** Shared by every command that plans: read and validate the proposal and inventory, then plan. */
import { hostname } from "node:os";
import { invalidError } from "../errors.js";
import { findPackagedCron } from "../apply/packaged.js";
import { openRoot } from "../apply/root.js";
import { buildPlan } from "../plan/build-plan.js";
import { releaseModule } from "../releases/index.js";
import type { Plan } from "../plan/types.js";
import type { Inventory } from "../proposal/inventory.js";
import type { Issue } from "../proposal/load.js";
import type { Proposal } from "../proposal/schema.js";
import { validateProposalText } from "../proposal/validate.js";
import { displayName, loadInventory, readInput } from "./input.js";
import { formatIssues } from "./output.js";

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
    packagedCron = await findPackagedCron(root, releaseModule(result.proposal.attributes.glance.release).jobBinaries);
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
