/** The human form of an apply report: a header, the changes as a table, a summary line. */
import type { ApplyReport } from "../../engine/apply.js";
import { isPending, type Change } from "../../engine/types.js";
import { formatTable } from "./table.js";
import { paintFor, type Paint } from "../terminal.js";

const summary = (changes: readonly Change[]): string => {
  const count = (action: Change["action"]): number => changes.filter((c) => c.action === action).length;
  return `${count("create")} created, ${count("update")} changed, ${count("remove")} removed, ${count("run")} run, ${count("unchanged")} unchanged, ${count("skipped")} skipped`;
};

/** The report, its last line the recap (coloured when `paint` colours: green nothing to do, yellow changes). */
export const formatReport = (report: ApplyReport, paint: Paint = paintFor(false)): string => {
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
  const pending = report.changes.some(isPending);
  const recap = summary(report.changes);
  lines.push(pending ? paint.yellow(recap) : paint.green(recap));
  if (report.backup !== undefined) lines.push(`backup ${report.backup} taken: glance-barclamp rollback undoes this apply`);
  return lines.join("\n");
};
