/** proposal migrate: read a Crowbar proposal of any era, migrate it, check the result validates. */
import { invalidError } from "../errors.js";
import { formatIssues } from "../core/proposal/format-issues.js";
import { formatPath, locate, parseJsonDocument, type Issue, type JsonDocument } from "../core/proposal/load.js";
import { describeShape } from "../core/proposal/migrate/shape.js";
import { migrateProposal } from "../core/proposal/migrate/migrate.js";
import type { Finding } from "../core/proposal/resolve.js";
import { validateProposalText } from "../core/proposal/validate.js";
import { displayName, readInput } from "./inputs.js";

export interface MigratedProposal {
  /** The migrated proposal, as it is written (2-space JSON and a final newline). */
  text: string;
  /** What was dropped, and the migrated proposal's own validation warnings. */
  warnings: Issue[];
  /** What migrate decided: the shape it read, the release it chose, renamed ids. */
  notes: string[];
  steps: string[];
  /** Whether the text differs from the input's (a migrated proposal migrates to itself). */
  changed: boolean;
}

const toIssue = (doc: JsonDocument, finding: Finding): Issue => ({
  file: doc.file,
  ...locate(doc, finding.path, "key"),
  path: formatPath(finding.path),
  severity: finding.severity,
  code: finding.code,
  message: finding.message,
  ...(finding.hint === undefined ? {} : { hint: finding.hint }),
});

export const migrateProposalFile = (file: string, options: { release?: string } = {}): MigratedProposal => {
  const name = displayName(file);
  const source = readInput(file);
  const doc = parseJsonDocument(source, name);
  if (doc.tree === undefined) throw invalidError("invalid-json", `${name} is not JSON:\n${formatIssues(doc.issues)}`, { detail: doc.issues });
  const migration = migrateProposal(doc.value, options);
  const issues = migration.findings.map((f) => toIssue(doc, f));
  const errors = issues.filter((i) => i.severity === "error");
  if (migration.proposal === undefined || errors.length > 0)
    throw invalidError("migrate-refused", `${name} (${describeShape(migration.shape)}) cannot be deployed as it is:\n${formatIssues(errors)}`, {
      hint: "change what each error names in the original, then migrate again (nothing was written)",
      detail: issues,
    });
  const text = `${JSON.stringify(migration.proposal, null, 2)}\n`;
  const check = validateProposalText(text, `${name} (migrated)`);
  if (!check.valid)
    throw invalidError("migrated-invalid", `${name} migrates to a proposal that does not validate:\n${formatIssues(check.issues.filter((i) => i.severity === "error"))}`, {
      hint: "the values above are carried over as they were: correct them in the original, then migrate again (nothing was written)",
      detail: check.issues,
    });
  return { text, warnings: [...issues, ...check.issues], notes: migration.notes, steps: migration.steps, changed: text !== source };
};
