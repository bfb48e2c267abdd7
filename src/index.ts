/**
 * The library entry point: the use cases the CLI runs, for other tools (an Ansible module, a CI
 * step) to call without spawning it. Nothing here prints; results come back as data and failures
 * as BarclampErrors with stable codes.
 */
export { applyProposal, type ApplyEnvironment, type ApplyOptions, type ApplyScope } from "./app/apply-proposal.js";
export { planProposal, type PlannedProposal, type PlanOptions } from "./app/plan-proposal.js";
export { verifyProposal, type VerifyOptions } from "./app/verify-proposal.js";
export { validateInventoryText, validateProposalText, type ProposalValidation } from "./core/proposal/validate.js";
export { newProposal } from "./core/proposal/new-proposal.js";
export type { Plan, Resource } from "./core/plan/types.js";
export type { ApplyReport } from "./engine/apply.js";
export type { Change } from "./engine/types.js";
export type { CheckResult } from "./verify/verify.js";
export { BarclampError, ExitCode, isBarclampError } from "./errors.js";
