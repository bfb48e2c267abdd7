/** The human form of an apply report: a header, the changes as a table, a summary line. */
import type { ApplyReport } from "../../engine/apply.js";
import { isPending, type Change } from "../../engine/types.js";
import { formatTable } from "./table.js";
import { paintFor, type Paint } from "../terminal.js";

const summary = (changes: readonly Change[]): string => {
  const count = (action: Change["action"]): number => changes.filter((c) => c.action === action).length;
  return `${count("create")} created, ${count("update")} changed, ${count("remove")} removed, ${count("run")} run, ${count("unchanged")} unchanged, ${count("skipped")} skipped`;
};

/** What each kind of resource is called in a sentence (the JSON report keeps the kinds). */
const NOUN: Record<Change["kind"], string> = {
  directory: "directory",
  file: "file",
  absent: "file",
  database: "database",
  "db-sync": "schema sync",
  keystone: "Keystone registration",
  service: "service",
  images: "images",
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
        { header: "KIND", value: (c) => NOUN[c.kind] },
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

/**
 * The one preview, for diff and apply --dry-run alike: what is not what the plan says, each file
 * with its unified diff (secrets masked), then its consequences (directories, db sync, Keystone,
 * units, services to restart), then the recap. Nothing pending: one line.
 */
export const formatPreview = (report: ApplyReport, paint: Paint = paintFor(false)): string => {
  const pending = report.changes.filter(isPending);
  const notes = report.notes.map((n) => `note: ${n}`);
  // On the live system, what apply leaves undone there (no systemd, the API not up yet) is part of
  // the picture; on a staging root those steps never run, so they are not listed.
  const undone =
    report.root === "/"
      ? report.changes
          .filter((c) => c.action === "skipped" && c.details.length > 0 && !c.details.some((d) => d.startsWith("not inspected")))
          .map((c) => `not done here: ${NOUN[c.kind]} ${c.target}: ${c.details.join("; ")}`)
      : [];
  if (pending.length === 0) return [...notes, "no changes pending", ...undone].join("\n");
  const diffs = pending.filter((c) => c.diff !== undefined).map((c) => (c.diff ?? "").trimEnd());
  const consequences = pending
    .filter((c) => c.diff === undefined)
    .map((c) => `would ${c.action} ${NOUN[c.kind]} ${c.target}${c.details.length > 0 ? `: ${c.details.join("; ")}` : ""}`);
  const skipped = report.changes.filter((c) => c.action === "skipped" && c.details.some((d) => d.startsWith("not inspected"))).map((c) => `${NOUN[c.kind]} ${c.target}: ${c.details.join("; ")}`);
  return [
    `dry run: ${report.proposal} on ${report.node} (${report.release}) into ${report.root}`,
    ...notes,
    ...skipped.map((line) => paint.yellow(line)),
    ...diffs,
    ...consequences,
    ...undone,
    paint.yellow(summary(report.changes)),
  ].join("\n");
};
