import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { applyProposal } from "../../app/apply-proposal.js";
import { commandLogger } from "../output.js";
import { printWarnings } from "../diagnostics.js";
import { formatPreview, formatReport } from "../format/apply-report.js";
import { stdoutPaint } from "../terminal.js";
import type { ApplyCommandOptions } from "../options.js";

export const runApply = async (file: string, options: ApplyCommandOptions): Promise<number> => {
  const report = await applyProposal(file, options, { log: commandLogger(options), onWarnings: printWarnings });
  // A dry run is the preview diff shows (with exit 0: diff is the one that says "drift" with 4).
  const human = report.dryRun ? formatPreview(report, stdoutPaint()) : formatReport(report, stdoutPaint());
  process.stdout.write(options.json === true ? jsonReport(report) : `${human}\n`);
  return ExitCode.ok;
};
