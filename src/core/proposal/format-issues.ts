/** Issues as text, `file:line:column: severity path: message [code]`: the form every message about a proposal takes. */
import type { Issue } from "./load.js";

const formatIssue = (issue: Issue): string => {
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
