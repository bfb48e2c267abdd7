import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { applyProposal } from "../../app/apply-proposal.js";
import { commandLogger } from "../output.js";
import { printWarnings } from "../diagnostics.js";
import { formatReport } from "../format/apply-report.js";
import { stdoutPaint } from "../terminal.js";
import type { ApplyCommandOptions } from "../options.js";

export const runApply = async (file: string, options: ApplyCommandOptions): Promise<number> => {
  const report = await applyProposal(file, options, { log: commandLogger(options), onWarnings: printWarnings });
  process.stdout.write(options.json === true ? jsonReport(report) : `${formatReport(report, stdoutPaint())}\n`);
  return ExitCode.ok;
};
