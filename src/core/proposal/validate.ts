/**
 * Text in, every problem out: JSON syntax, schema (zod), then cross-field rules, each reported with
 * its position, JSON path, message and hint. Pure: the caller reads the files.
 */
import type { z } from "zod";
import { InventorySchema, type Inventory } from "./inventory.js";
import { formatPath, hasPath, isForbiddenKey, locate, parseJsonDocument, type Issue, type JsonDocument, type JsonPath } from "./load.js";
import { resolveInstances, type Finding, type Resolution } from "./resolve.js";
import { describeShape, detectShape, isReadableAsWritten } from "./migrate/shape.js";
import { runRules } from "./rules/index.js";
import { ProposalSchema, type Proposal } from "./schema.js";
import { fieldInfo, knownKeysAt, nearest, schemaAt } from "./schema-walk.js";
import { compareCodePoints } from "../text-order.js";

type ZodIssue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

const describeDefault = (value: unknown): string => JSON.stringify(value);

/** The field's own documentation, as a hint. */
const fieldHint = (schema: AnySchema, path: JsonPath): string | undefined => {
  const at = schemaAt(schema, path);
  if (at === undefined) return undefined;
  const info = fieldInfo(at);
  if (info.description === undefined) return undefined;
  return info.hasDefault && !info.secret
    ? `${info.description} Default: ${describeDefault(info.defaultValue)}.`
    : info.description;
};

/**
 * The issues of the one union branch whose type matched (e.g. the object form of a secret); when
 * several matched (alternative string formats), the union's own message says it best.
 */
const flattenUnion = (issue: ZodIssue & { code: "invalid_union" }): ZodIssue[] | undefined => {
  const matching = issue.errors.filter((branch) => !branch.some((inner) => inner.code === "invalid_type" && inner.path.length === 0));
  if (matching.length > 1) return [{ ...issue, code: "custom", errors: undefined } as unknown as ZodIssue];
  return matching[0]?.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
};

const toIssues = (doc: JsonDocument, schema: AnySchema, zodIssue: ZodIssue): Issue[] => {
  const path = zodIssue.path.filter((p): p is string | number => typeof p !== "symbol");
  const base = { file: doc.file, path: formatPath(path), severity: "error" as const };
  switch (zodIssue.code) {
    case "unrecognized_keys":
      // A forbidden key (__proto__) was reported by the loader already, by name.
      return zodIssue.keys.filter((key) => !isForbiddenKey(key)).map((key) => {
        const keyPath = [...path, key];
        const known = knownKeysAt(schema, path);
        const suggestion = nearest(key, known);
        return {
          ...base,
          ...locate(doc, keyPath, "key"),
          path: formatPath(keyPath),
          code: "unknown-key",
          message: `unknown key "${key}"`,
          hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : `known keys here: ${known.join(", ")}`,
        };
      });
    case "invalid_union": {
      const inner = flattenUnion(zodIssue);
      if (inner !== undefined) return inner.flatMap((i) => toIssues(doc, schema, i));
      const expected = [
        ...new Set(zodIssue.errors.flat().flatMap((inner) => (inner.code === "invalid_type" ? [inner.expected] : []))),
      ];
      return [
        {
          ...base,
          ...locate(doc, path),
          code: "wrong-type",
          message: expected.length > 0 ? `must be ${expected.map(article).join(" or ")}` : "has the wrong type",
          ...withHint(fieldHint(schema, path)),
        },
      ];
    }
    case "invalid_type": {
      const missing = !hasPath(doc, path);
      return [
        {
          ...base,
          ...locate(doc, path),
          code: missing ? "missing" : "wrong-type",
          message: missing ? `is required (${zodIssue.expected})` : `must be ${article(zodIssue.expected)}`,
          ...withHint(fieldHint(schema, path)),
        },
      ];
    }
    case "invalid_value": {
      const options = zodIssue.values.map((v) => JSON.stringify(v));
      const actual = valueAt(doc.value, path);
      const suggestion = typeof actual === "string" ? nearest(actual, zodIssue.values.map(String)) : undefined;
      return [
        {
          ...base,
          ...locate(doc, path),
          code: "not-allowed",
          message: `must be one of ${options.join(", ")}`,
          ...withHint(suggestion !== undefined ? `did you mean "${suggestion}"?` : fieldHint(schema, path)),
        },
      ];
    }
    default:
      return [
        {
          ...base,
          ...locate(doc, path),
          code: zodIssue.code === "custom" || zodIssue.code === "invalid_format" ? "invalid-value" : zodIssue.code.replaceAll("_", "-"),
          message: zodIssue.message,
          ...withHint(fieldHint(schema, path)),
        },
      ];
  }
};

const withHint = (hint: string | undefined): { hint?: string } => (hint === undefined ? {} : { hint });

const article = (type: string): string => (/^[aeiou]/u.test(type) ? `an ${type}` : `a ${type}`);

const valueAt = (value: unknown, path: JsonPath): unknown => {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
};

const findingToIssue = (doc: JsonDocument, finding: Finding): Issue => ({
  file: doc.file,
  ...locate(doc, finding.path),
  path: formatPath(finding.path),
  severity: finding.severity,
  code: finding.code,
  message: finding.message,
  ...withHint(finding.hint),
});

const sortIssues = (issues: Issue[]): Issue[] =>
  issues.sort((a, b) => a.line - b.line || a.column - b.column || compareCodePoints(a.path, b.path));

export interface ProposalValidation {
  file: string;
  valid: boolean;
  proposal: Proposal | undefined;
  resolution: Resolution | undefined;
  issues: Issue[];
}

const hasErrors = (issues: readonly Issue[]): boolean => issues.some((issue) => issue.severity === "error");

type Path = Array<string | number>;

const issuePaths = (issue: ZodIssue): Path[] => {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  return issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...path, key]) : [path];
};

const deleteAt = (root: unknown, path: Path): void => {
  let current = root;
  for (const step of path.slice(0, -1)) {
    if (current === null || typeof current !== "object") return;
    current = (current as Record<string | number, unknown>)[step];
  }
  const last = path[path.length - 1];
  if (current === null || typeof current !== "object" || last === undefined) return;
  if (Array.isArray(current) && typeof last === "number") current[last] = undefined;
  else delete (current as Record<string | number, unknown>)[last];
};

const compactArrays = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(compactArrays);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, compactArrays(item)]));
  return value;
};

/**
 * The proposal with every rejected field removed so that its default applies: lets the cross-field
 * rules check the rest of the file in the same run. undefined when that still does not parse
 * (a required field is missing).
 */
const parseRepaired = (value: unknown, rejected: Path[]): Proposal | undefined => {
  const copy = structuredClone(value);
  for (const path of rejected) {
    if (path.length === 0) return undefined;
    deleteAt(copy, path);
  }
  const reparsed = ProposalSchema.safeParse(compactArrays(copy));
  return reparsed.success ? reparsed.data : undefined;
};

export const validateProposalText = (text: string, file: string, inventory?: Inventory): ProposalValidation => {
  const doc = parseJsonDocument(text, file);
  const issues = [...doc.issues];
  if (doc.tree === undefined) return { file, valid: false, proposal: undefined, resolution: undefined, issues };
  // A later Crowbar proposal would fail on every key its era added: say what it is instead.
  const shape = detectShape(doc.value);
  if (!isReadableAsWritten(shape)) {
    const at: JsonPath = hasPath(doc, ["deployment", "glance", "schema-revision"]) ? ["deployment", "glance", "schema-revision"] : [];
    const issue: Issue = {
      file,
      ...locate(doc, at),
      path: formatPath(at),
      severity: "error",
      code: "crowbar-shape",
      message: `this is ${describeShape(shape)}: glance-barclamp reads it once it is migrated`,
      hint: `glance-barclamp proposal migrate ${file} --out NEW.json (it says what it keeps, drops and refuses)`,
    };
    return { file, valid: false, proposal: undefined, resolution: undefined, issues: [issue] };
  }
  const parsed = ProposalSchema.safeParse(doc.value);
  let rejected: Path[] = [];
  let proposal: Proposal | undefined;
  if (parsed.success) {
    proposal = parsed.data;
  } else {
    issues.push(...parsed.error.issues.flatMap((issue) => toIssues(doc, ProposalSchema, issue)));
    rejected = parsed.error.issues.flatMap(issuePaths);
    proposal = parseRepaired(doc.value, rejected);
  }
  let resolution: Resolution | undefined;
  if (proposal !== undefined) {
    resolution = resolveInstances(proposal.attributes.glance, inventory);
    const context = { proposal, inventory, resolution, spelledOut: (path: JsonPath) => hasPath(doc, path) };
    issues.push(...runRules(context, rejected).map((finding) => findingToIssue(doc, finding)));
  }
  const valid = !hasErrors(issues);
  return {
    file,
    valid,
    proposal: valid ? proposal : undefined,
    resolution: valid ? resolution : undefined,
    issues: sortIssues(issues),
  };
};

export interface InventoryValidation {
  file: string;
  valid: boolean;
  inventory: Inventory | undefined;
  issues: Issue[];
}

export const validateInventoryText = (text: string, file: string): InventoryValidation => {
  const doc = parseJsonDocument(text, file);
  const issues = [...doc.issues];
  if (doc.tree === undefined) return { file, valid: false, inventory: undefined, issues };
  const parsed = InventorySchema.safeParse(doc.value);
  if (!parsed.success) issues.push(...parsed.error.issues.flatMap((issue) => toIssues(doc, InventorySchema, issue)));
  const valid = !hasErrors(issues);
  return { file, valid, inventory: valid && parsed.success ? parsed.data : undefined, issues: sortIssues(issues) };
};
