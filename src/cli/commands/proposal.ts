import { ExitCode } from "../../errors.js";
import { newProposal } from "../../core/proposal/new-proposal.js";

export const runProposalNew = (options: { release: string; id: string }): number => {
  process.stdout.write(`${JSON.stringify(newProposal(options.release, options.id), null, 2)}\n`);
  return ExitCode.ok;
};
