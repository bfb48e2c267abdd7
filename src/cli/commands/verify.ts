import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { verifyProposal } from "../../app/verify-proposal.js";
import type { PlanOptions } from "../../app/plan-proposal.js";
import { commandLogger } from "../output.js";
import { printWarnings } from "../diagnostics.js";
import { formatTable } from "../format/table.js";

export const runVerify = async (file: string, options: PlanOptions & { root: string; json?: boolean; timeout?: string }): Promise<number> => {
  const results = await verifyProposal(file, { ...options, timeoutMs: Number(options.timeout ?? 5) * 1000 }, commandLogger(), printWarnings);
  const failed = results.filter((r) => r.outcome === "fail").length;
  if (options.json === true) process.stdout.write(jsonReport({ ok: failed === 0, checks: results }));
  else
    process.stdout.write(
      `${formatTable(results, [
        { header: "RESULT", value: (r) => r.outcome.toUpperCase() },
        { header: "CHECK", value: (r) => r.check },
        { header: "DETAIL", value: (r) => r.detail },
      ])}\n${failed === 0 ? "all checks passed" : `${failed} check(s) failed`}\n`,
    );
  return failed === 0 ? ExitCode.ok : ExitCode.checksFailed;
};
