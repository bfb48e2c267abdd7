import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { applyProposal } from "../../app/apply-proposal.js";
import { isPending } from "../../engine/types.js";
import { commandLogger } from "../output.js";
import { printWarnings } from "../diagnostics.js";
import type { ApplyCommandOptions } from "../options.js";
import { formatPreview } from "../format/apply-report.js";
import { stdoutPaint } from "../terminal.js";

/** Unified diff of what apply would change; exit 4 when anything is pending (drift). */
export const runDiff = async (file: string, options: ApplyCommandOptions): Promise<number> => {
  const report = await applyProposal(file, { ...options, dryRun: true }, { log: commandLogger(options), onWarnings: printWarnings });
  const pending = report.changes.filter(isPending);
  if (options.json === true) process.stdout.write(jsonReport({ ...report, changes: pending }));
  else process.stdout.write(`${formatPreview(report, stdoutPaint())}\n`);
  return pending.length > 0 ? ExitCode.changesPending : ExitCode.ok;
};
