/**
 * `validate`'s report in the formats CI systems read natively: text (people), json (this tool's
 * versioned shape), github (workflow commands: annotations on the pull request's lines), junit (one
 * test case per proposal: GitLab, Jenkins, ...), sarif (2.1.0: code-scanning dashboards). Pure:
 * the report in, text out.
 */
import type { Issue } from "../../core/proposal/load.js";
import { formatIssues, summarizeIssues } from "../../core/proposal/format-issues.js";

export const VALIDATE_FORMATS = ["text", "json", "github", "junit", "sarif"] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

import { REPORT_VERSION } from "./report.js";

export interface FileReport {
  file: string;
  valid: boolean;
  /** The inventory it was checked with, if any. */
  inventory?: string;
  issues: Issue[];
}

export interface ValidateReport {
  report_version: typeof REPORT_VERSION;
  /** Every proposal valid, and the warnings within --max-warnings. */
  valid: boolean;
  files: FileReport[];
  /** Files that are not proposals (a JSON Schema, an inventory), recognised by their shape. */
  skipped: Array<{ file: string; kind: string }>;
  errors: number;
  warnings: number;
  /** Set with --max-warnings (0 with --strict). */
  max_warnings?: number;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

const warningsExceeded = (report: ValidateReport): boolean => report.max_warnings !== undefined && report.warnings > report.max_warnings;

const text = (report: ValidateReport): string => {
  const lines: string[] = [];
  for (const skipped of report.skipped) lines.push(`skipped: ${skipped.file} (${skipped.kind}, not a proposal)`);
  for (const file of report.files) {
    if (file.issues.length > 0) lines.push(formatIssues(file.issues));
    const summary = summarizeIssues(file.issues);
    lines.push(`${file.valid ? "valid" : "INVALID"}: ${file.file}${summary === "" ? "" : ` (${summary})`}`);
  }
  if (report.files.length > 1) {
    const bad = report.files.filter((r) => !r.valid).length;
    lines.push(`${report.files.length} proposals checked: ${report.files.length - bad} valid, ${bad} invalid`);
  }
  if (report.files.length === 0) lines.push("no proposal to check");
  if (warningsExceeded(report)) lines.push(`too many warnings: ${report.warnings}, at most ${report.max_warnings ?? 0} allowed`);
  return `${lines.join("\n")}\n`;
};

/** GitHub's escaping: in a message %, CR and LF; in a property also ':' and ','. */
const githubData = (s: string): string => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const githubProperty = (s: string): string => githubData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

const github = (report: ValidateReport): string => {
  const lines: string[] = [];
  for (const skipped of report.skipped) lines.push(`::notice file=${githubProperty(skipped.file)}::${githubData(`skipped: ${skipped.kind}, not a proposal`)}`);
  for (const file of report.files)
    for (const issue of file.issues) {
      const where = [`file=${githubProperty(issue.file)}`, ...(issue.line > 0 ? [`line=${issue.line}`, `col=${issue.column}`] : []), `title=${githubProperty(`glance-barclamp ${issue.code}`)}`];
      const message = `${issue.path === "" ? "" : `${issue.path}: `}${issue.message}${issue.hint === undefined ? "" : `\nhint: ${issue.hint}`}`;
      lines.push(`::${issue.severity === "error" ? "error" : "warning"} ${where.join(",")}::${githubData(message)}`);
    }
  if (warningsExceeded(report)) lines.push(`::error::${githubData(`too many warnings: ${report.warnings}, at most ${report.max_warnings ?? 0} allowed`)}`);
  const bad = report.files.filter((r) => !r.valid).length;
  lines.push(`${plural(report.files.length, "proposal")} checked: ${report.files.length - bad} valid, ${bad} invalid, ${plural(report.errors, "error")}, ${plural(report.warnings, "warning")}`);
  return `${lines.join("\n")}\n`;
};

/** XML 1.0 text: the five entities, and characters XML cannot hold at all as visible escapes. */
const xml = (s: string): string =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    // The characters XML 1.0 forbids.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

const junit = (report: ValidateReport): string => {
  const failures = report.files.filter((f) => !f.valid).length + (warningsExceeded(report) ? 1 : 0);
  const tests = report.files.length + report.skipped.length + (warningsExceeded(report) ? 1 : 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="glance-barclamp validate" tests="${tests}" failures="${failures}" errors="0" skipped="${report.skipped.length}">`,
    `  <testsuite name="glance-barclamp validate" tests="${tests}" failures="${failures}" errors="0" skipped="${report.skipped.length}">`,
  ];
  for (const file of report.files) {
    const errors = file.issues.filter((i) => i.severity === "error");
    const warnings = file.issues.filter((i) => i.severity === "warning");
    out.push(`    <testcase classname="glance-barclamp.validate" name="${xml(file.file)}" file="${xml(file.file)}">`);
    if (!file.valid) out.push(`      <failure type="invalid-proposal" message="${xml(summarizeIssues(errors))}">${xml(formatIssues(errors))}</failure>`);
    if (warnings.length > 0) out.push(`      <system-out>${xml(formatIssues(warnings))}</system-out>`);
    out.push("    </testcase>");
  }
  for (const skipped of report.skipped)
    out.push(`    <testcase classname="glance-barclamp.validate" name="${xml(skipped.file)}" file="${xml(skipped.file)}">`, `      <skipped message="${xml(`${skipped.kind}, not a proposal`)}"/>`, "    </testcase>");
  if (warningsExceeded(report))
    out.push(
      '    <testcase classname="glance-barclamp.validate" name="max-warnings">',
      `      <failure type="too-many-warnings" message="${xml(`${report.warnings} warnings, at most ${report.max_warnings ?? 0} allowed`)}"/>`,
      "    </testcase>",
    );
  out.push("  </testsuite>", "</testsuites>");
  return `${out.join("\n")}\n`;
};

/** A relative path as a relative reference; an absolute one as a file: URI (a reference must not begin with '/'). */
const artifactUri = (file: string): string => (file.startsWith("/") ? `file://${encodeURI(file)}` : encodeURI(file));

const sarif = (report: ValidateReport, version: string): string => {
  const issues = report.files.flatMap((f) => f.issues);
  const rules = [...new Set(issues.map((i) => i.code))].sort();
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "glance-barclamp",
            version,
            informationUri: "https://github.com/crowbar/barclamp-glance",
            rules: rules.map((id) => ({ id, shortDescription: { text: id.replaceAll("-", " ") } })),
          },
        },
        results: issues.map((issue) => ({
          ruleId: issue.code,
          ruleIndex: rules.indexOf(issue.code),
          level: issue.severity === "error" ? "error" : "warning",
          message: { text: `${issue.path === "" ? "" : `${issue.path}: `}${issue.message}${issue.hint === undefined ? "" : ` (hint: ${issue.hint})`}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(issue.file) },
                ...(issue.line > 0 ? { region: { startLine: issue.line, startColumn: issue.column } } : {}),
              },
              ...(issue.path === "" ? {} : { logicalLocations: [{ fullyQualifiedName: issue.path, kind: "member" }] }),
            },
          ],
        })),
        invocations: [{ executionSuccessful: true, ...(warningsExceeded(report) ? { toolExecutionNotifications: [{ level: "error", message: { text: `too many warnings: ${report.warnings}, at most ${report.max_warnings ?? 0} allowed` } }] } : {}) }],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

export const formatValidateReport = (report: ValidateReport, format: ValidateFormat, version: string): string => {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "github":
      return github(report);
    case "junit":
      return junit(report);
    case "sarif":
      return sarif(report, version);
    default:
      return text(report);
  }
};
