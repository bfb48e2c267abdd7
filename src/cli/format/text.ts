/** Pure formatters: data in, text out. Nothing here writes. */
import type { Issue } from "../../core/proposal/load.js";

export const formatIssue = (issue: Issue): string => {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const path = issue.path === "" ? "" : ` ${issue.path}:`;
  const head = `${where}: ${issue.severity}${path} ${issue.message} [${issue.code}]`;
  return issue.hint === undefined ? head : `${head}\n    hint: ${issue.hint}`;
};

export const formatIssues = (issues: readonly Issue[]): string => issues.map(formatIssue).join("\n");

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

export const summarizeIssues = (issues: readonly Issue[]): string => {
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const parts = [];
  if (errors > 0) parts.push(plural(errors, "error"));
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  return parts.join(", ");
};

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: "left" | "right";
}

export const formatTable = <T>(rows: readonly T[], columns: readonly Column<T>[]): string => {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (columns[i]?.align === "right" ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
};
