/** verify: plan the proposal, then check the node it was applied to. */
import type { Issue } from "../core/proposal/load.js";
import { liveHost } from "../engine/host.js";
import type { Logger } from "../engine/types.js";
import { verify, type CheckResult } from "../verify/verify.js";
import { planProposal, type PlanOptions } from "./plan-proposal.js";
import { connectionOfProposal } from "./proposal-connection.js";

export interface VerifyOptions extends PlanOptions {
  root: string;
  /** How long each HTTP check waits, in milliseconds. */
  timeoutMs?: number;
}

export const verifyProposal = async (
  file: string,
  options: VerifyOptions,
  log: Logger,
  onWarnings?: (warnings: Issue[]) => void,
): Promise<CheckResult[]> => {
  const planned = planProposal(file, options);
  onWarnings?.(planned.warnings);
  return verify({
    plan: planned.plan,
    documents: { proposal: planned.proposal, inventory: planned.inventory },
    rootDir: options.root,
    host: liveHost(),
    log,
    env: process.env,
    euid: process.geteuid?.() ?? 0,
    command: `glance-barclamp verify ${file}`,
    connection: () => connectionOfProposal(file, options),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
};
