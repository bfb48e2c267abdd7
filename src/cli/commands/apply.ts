import { ExitCode } from "../../errors.js";
import { applyPlan, type ApplyReport } from "../../engine/apply.js";
import { isPending, type Change } from "../../engine/types.js";
import { liveHost } from "../../engine/host.js";
import { createLogger } from "../../log.js";
import type { Resource } from "../../core/plan/types.js";
import { formatIssues, formatTable } from "../format/text.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";

export interface ApplyOptions extends PlanOptions {
  root: string;
  dryRun?: boolean;
  json?: boolean;
  logFile?: string;
  verbose?: boolean;
}

const summary = (changes: readonly Change[]): string => {
  const count = (action: Change["action"]): number => changes.filter((c) => c.action === action).length;
  return `${count("create")} created, ${count("update")} changed, ${count("remove")} removed, ${count("run")} run, ${count("unchanged")} unchanged, ${count("skipped")} skipped`;
};

export const formatReport = (report: ApplyReport): string => {
  const shown = report.changes.filter((c) => c.action !== "unchanged");
  const lines = [
    `${report.dryRun ? "dry run: " : ""}${report.proposal} on ${report.node} (${report.release}) into ${report.root}`,
    ...report.warnings.map((w) => `warning: ${w}`),
  ];
  if (shown.length > 0)
    lines.push(
      formatTable(shown, [
        { header: "ACTION", value: (c) => (report.dryRun && isPending(c) ? `would ${c.action}` : c.action) },
        { header: "KIND", value: (c) => c.kind },
        { header: "TARGET", value: (c) => c.target },
        { header: "DETAIL", value: (c) => c.details.join("; ") },
      ]),
    );
  lines.push(summary(report.changes));
  if (report.backup !== undefined) lines.push(`backup ${report.backup} taken: glance-barclamp rollback undoes this apply`);
  return lines.join("\n");
};

export const prepare = async (
  file: string,
  options: ApplyOptions,
  dryRun: boolean,
  scope: { kinds?: ReadonlyArray<Resource["kind"]>; forceDbSync?: boolean } = {},
) => {
  const planned = await planProposal(file, options);
  const plan =
    scope.kinds === undefined ? planned.plan : { ...planned.plan, resources: planned.plan.resources.filter((r) => scope.kinds?.includes(r.kind)) };
  const log = createLogger({ verbose: options.verbose, logFile: options.logFile });
  if (planned.warnings.length > 0) process.stderr.write(`${formatIssues(planned.warnings)}\n`);
  return applyPlan({
    plan,
    forceDbSync: scope.forceDbSync === true,
    documents: { proposal: planned.proposal, inventory: planned.inventory },
    rootDir: options.root,
    dryRun,
    host: liveHost(),
    log,
    env: process.env,
    euid: process.geteuid?.() ?? 0,
    command: `glance-barclamp apply ${file}`,
  });
};

export const runApply = async (file: string, options: ApplyOptions): Promise<number> => {
  const report = await prepare(file, options, options.dryRun === true);
  process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return ExitCode.ok;
};

/** Unified diff of what apply would change; exit 4 when anything is pending (drift). */
export const runDiff = async (file: string, options: ApplyOptions): Promise<number> => {
  const report = await prepare(file, options, true);
  const pending = report.changes.filter(isPending);
  if (options.json === true) process.stdout.write(`${JSON.stringify({ ...report, changes: pending }, null, 2)}\n`);
  else {
    const parts = pending.map((c) => c.diff ?? `${c.action} ${c.kind} ${c.target}${c.details.length > 0 ? `: ${c.details.join("; ")}` : ""}\n`);
    process.stdout.write(parts.length === 0 ? "no changes pending\n" : parts.join(""));
  }
  return pending.length > 0 ? ExitCode.changesPending : ExitCode.ok;
};
