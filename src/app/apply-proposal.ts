/** apply, diff, dry run and the db commands: plan the proposal, then converge the root (or part of it). */
import type { Resource } from "../core/plan/types.js";
import type { Issue } from "../core/proposal/load.js";
import { applyPlan, type ApplyReport } from "../engine/apply.js";
import { liveHost } from "../engine/host.js";
import type { Host, Logger } from "../engine/types.js";
import { planProposal, type PlanOptions } from "./plan-proposal.js";

export interface ApplyOptions extends PlanOptions {
  root: string;
  dryRun?: boolean;
}

export interface ApplyEnvironment {
  log: Logger;
  host?: Host;
  env?: NodeJS.ProcessEnv;
  euid?: number;
  /** How this run was invoked, for the lock holder's description. */
  command?: string;
  /** Receives the proposal's validation warnings once it is planned, before anything changes. */
  onWarnings?: (warnings: Issue[]) => void;
}

export interface ApplyScope {
  /** Only these kinds of resource (db provision, db sync). */
  kinds?: ReadonlyArray<Resource["kind"]>;
  /** Run the schema sync even when nothing it reads changed. */
  forceDbSync?: boolean;
}

export const applyProposal = async (
  file: string,
  options: ApplyOptions,
  environment: ApplyEnvironment,
  scope: ApplyScope = {},
): Promise<ApplyReport> => {
  const planned = planProposal(file, options);
  environment.onWarnings?.(planned.warnings);
  const plan =
    scope.kinds === undefined ? planned.plan : { ...planned.plan, resources: planned.plan.resources.filter((r) => scope.kinds?.includes(r.kind)) };
  return applyPlan({
    plan,
    forceDbSync: scope.forceDbSync === true,
    documents: { proposal: planned.proposal, inventory: planned.inventory },
    rootDir: options.root,
    dryRun: options.dryRun === true,
    preview: options.dryRun === true,
    host: environment.host ?? liveHost(),
    log: environment.log,
    env: environment.env ?? process.env,
    euid: environment.euid ?? process.geteuid?.() ?? 0,
    command: environment.command ?? `glance-barclamp apply ${file}`,
  });
};
