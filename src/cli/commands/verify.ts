import { ExitCode } from "../../errors.js";
import { liveHost } from "../../engine/host.js";
import { createLogger } from "../../log.js";
import { verify } from "../../verify/verify.js";
import { formatIssues, formatTable } from "../format/text.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";
import { connectionOfProposal } from "../../app/proposal-connection.js";

export const runVerify = async (file: string, options: PlanOptions & { root: string; json?: boolean; timeout?: string }): Promise<number> => {
  const planned = await planProposal(file, options);
  if (planned.warnings.length > 0) process.stderr.write(`${formatIssues(planned.warnings)}\n`);
  const results = await verify({
    plan: planned.plan,
    documents: { proposal: planned.proposal, inventory: planned.inventory },
    rootDir: options.root,
    host: liveHost(),
    log: createLogger({}),
    env: process.env,
    euid: process.geteuid?.() ?? 0,
    command: `glance-barclamp verify ${file}`,
    connection: () => connectionOfProposal(file, options),
    timeoutMs: Number(options.timeout ?? 5) * 1000,
  });
  const failed = results.filter((r) => r.outcome === "fail").length;
  if (options.json === true) process.stdout.write(`${JSON.stringify({ ok: failed === 0, checks: results }, null, 2)}\n`);
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
