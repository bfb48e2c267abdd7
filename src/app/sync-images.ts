/** images sync: seed the proposal's images through the API of this node (the live system). */
import type { ImagesResource } from "../core/plan/types.js";
import type { Issue } from "../core/proposal/load.js";
import { openRoot } from "../engine/root.js";
import { resolveSecrets } from "../engine/secrets.js";
import { statePaths } from "../engine/state.js";
import { usageError } from "../errors.js";
import type { SeedResult } from "../images/seed.js";
import { planProposal, type PlanOptions } from "./plan-proposal.js";

export interface SyncOptions extends PlanOptions {
  replace?: boolean;
  progress: (line: string) => void;
  onWarnings?: (warnings: Issue[]) => void;
}

export const syncImages = async (file: string, options: SyncOptions): Promise<{ results: SeedResult[]; skipped: string[] }> => {
  const planned = planProposal(file, options);
  options.onWarnings?.(planned.warnings);
  const resource = planned.plan.resources.find((r): r is ImagesResource => r.kind === "images");
  if (resource === undefined) return { results: [], skipped: [] };
  if (!resource.runsHere) throw usageError("images-elsewhere", `${resource.description}, not from ${planned.plan.node}`, { hint: "run images sync on that node" });
  const slots = resource.keystone === undefined ? [] : [resource.keystone.passwordSlot];
  const plan = { ...planned.plan, secrets: planned.plan.secrets.filter((s) => slots.includes(s.name)) };
  const secrets = resolveSecrets(plan, { proposal: planned.proposal, inventory: planned.inventory }, statePaths(openRoot("/"), false), { generate: false, env: process.env });
  const { seedPlanned } = await import("../images/planned.js");
  const results = await seedPlanned(resource, secrets, { replace: options.replace === true, progress: options.progress });
  return { results, skipped: resource.skipped };
};
