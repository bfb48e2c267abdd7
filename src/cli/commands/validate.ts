import { ExitCode, usageError } from "../../errors.js";
import type { Inventory } from "../../core/proposal/inventory.js";
import type { Issue } from "../../core/proposal/load.js";
import { describeKind, documentKind } from "../../core/proposal/document-kind.js";
import { validateProposalText } from "../../core/proposal/validate.js";
import { displayName, loadInventory, readInput } from "../../app/inputs.js";
import { expandInputs, siblingInventory } from "../../app/validate-inputs.js";
import { REPORT_VERSION } from "../format/report.js";
import { formatValidateReport, VALIDATE_FORMATS, type FileReport, type ValidateFormat, type ValidateReport } from "../format/validate-report.js";

export interface ValidateOptions {
  inventory?: string;
  json?: boolean;
  format?: string;
  maxWarnings?: string;
  strict?: boolean;
}

const unreadable = (file: string, error: unknown): FileReport => ({
  file: displayName(file),
  valid: false,
  issues: [{ file: displayName(file), line: 0, column: 0, path: "", severity: "error", code: "unreadable", message: error instanceof Error ? error.message : String(error) }],
});

/** Parses just enough to tell a proposal from a schema or an inventory; a broken file is a proposal (and reported). */
const kindOf = (text: string) => {
  try {
    return documentKind(JSON.parse(text));
  } catch {
    return "proposal" as const;
  }
};

const maxWarningsOf = (options: ValidateOptions): number | undefined => {
  if (options.strict === true) return 0;
  if (options.maxWarnings === undefined) return undefined;
  const n = Number(options.maxWarnings);
  if (!Number.isInteger(n) || n < 0) throw usageError("bad-max-warnings", "--max-warnings takes a whole number of at least 0");
  return n;
};

export const runValidate = async (args: string[], options: ValidateOptions, version: string): Promise<number> => {
  const format = (options.json === true ? "json" : (options.format ?? "text")) as ValidateFormat;
  if (!VALIDATE_FORMATS.includes(format)) throw usageError("bad-format", `unknown format ${format}`, { hint: `use one of: ${VALIDATE_FORMATS.join(", ")}` });
  const maxWarnings = maxWarningsOf(options);
  const given = options.inventory === undefined ? undefined : loadInventory(options.inventory);
  const inventories = new Map<string, Inventory | undefined>();
  const report: ValidateReport = { report_version: REPORT_VERSION, valid: true, files: [], skipped: [], errors: 0, warnings: 0, ...(maxWarnings === undefined ? {} : { max_warnings: maxWarnings }) };
  let unreadableInput = false;
  for (const input of await expandInputs(args)) {
    let text: string;
    try {
      text = readInput(input.file);
    } catch (error) {
      unreadableInput = true;
      report.files.push(unreadable(input.file, error));
      continue;
    }
    const kind = kindOf(text);
    if (kind !== "proposal") {
      report.skipped.push({ file: displayName(input.file), kind: describeKind(kind) });
      continue;
    }
    // --inventory for every proposal; otherwise each one's sibling NAME.inventory.json, if any.
    const sibling = options.inventory === undefined ? siblingInventory(input.file) : undefined;
    let inventory = given;
    if (sibling !== undefined) {
      if (!inventories.has(sibling)) inventories.set(sibling, loadInventory(sibling));
      inventory = inventories.get(sibling);
    }
    const result = validateProposalText(text, displayName(input.file), inventory);
    const used = options.inventory ?? sibling;
    report.files.push({ file: result.file, valid: result.valid, ...(used === undefined ? {} : { inventory: used }), issues: result.issues });
  }
  const issues: Issue[] = report.files.flatMap((f) => f.issues);
  report.errors = issues.filter((i) => i.severity === "error").length;
  report.warnings = issues.length - report.errors;
  const tooManyWarnings = maxWarnings !== undefined && report.warnings > maxWarnings;
  report.valid = report.files.every((f) => f.valid) && !tooManyWarnings;
  process.stdout.write(formatValidateReport(report, format, version));
  if (unreadableInput) return ExitCode.usage;
  return report.valid ? ExitCode.ok : ExitCode.invalid;
};
