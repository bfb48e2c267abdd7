import { ExitCode } from "../../errors.js";
import type { Issue } from "../../core/proposal/load.js";
import { validateProposalText } from "../../core/proposal/validate.js";
import { displayName, loadInventory, readInput } from "../../app/inputs.js";
import { formatIssues, summarizeIssues } from "../../core/proposal/format-issues.js";

interface FileReport {
  file: string;
  valid: boolean;
  issues: Issue[];
}

export const runValidate = (files: string[], options: { inventory?: string; json?: boolean }): number => {
  const inventory = loadInventory(options.inventory);
  const reports: FileReport[] = [];
  let unreadable = false;
  for (const file of files) {
    let text: string;
    try {
      text = readInput(file);
    } catch (error) {
      unreadable = true;
      const message = error instanceof Error ? error.message : String(error);
      reports.push({
        file: displayName(file),
        valid: false,
        issues: [{ file: displayName(file), line: 0, column: 0, path: "", severity: "error", code: "unreadable", message }],
      });
      continue;
    }
    const result = validateProposalText(text, displayName(file), inventory);
    reports.push({ file: result.file, valid: result.valid, issues: result.issues });
  }
  const valid = reports.every((report) => report.valid);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ valid, files: reports }, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const report of reports) {
      if (report.issues.length > 0) lines.push(formatIssues(report.issues));
      const summary = summarizeIssues(report.issues);
      lines.push(`${report.valid ? "valid" : "INVALID"}: ${report.file}${summary === "" ? "" : ` (${summary})`}`);
    }
    if (reports.length > 1) {
      const bad = reports.filter((r) => !r.valid).length;
      lines.push(`${reports.length} proposals checked: ${reports.length - bad} valid, ${bad} invalid`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (unreadable) return ExitCode.usage;
  return valid ? ExitCode.ok : ExitCode.invalid;
};
