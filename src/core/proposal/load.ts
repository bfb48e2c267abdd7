/**
 * Strict JSON parsing that keeps positions, so that every problem can be reported as
 * file:line:column. Pure: takes text, never reads a file.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";

export type JsonPath = ReadonlyArray<string | number>;

export type Severity = "error" | "warning";

export interface Issue {
  file: string;
  line: number;
  column: number;
  /** The JSON path, e.g. attributes.glance.api.bind_port. Empty for the document itself. */
  path: string;
  severity: Severity;
  /** Stable machine-readable code, e.g. "unknown-key", "ports-differ". */
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

export interface JsonDocument {
  file: string;
  text: string;
  /** undefined when the text is not JSON. */
  tree: Node | undefined;
  value: unknown;
  lineStarts: number[];
  /** Syntax errors and duplicate keys. */
  issues: Issue[];
}

/** Input limits (README "Input limits"): far above any real proposal, far below what exhausts memory or the stack. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
const MAX_NESTING = 64;

/** Keys that mean something to JavaScript objects: refused by name, so that none can vanish or pollute. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export const isForbiddenKey = (key: string): boolean => FORBIDDEN_KEYS.has(key);

/** The offset where nesting first goes deeper than MAX_NESTING, scanning outside strings; undefined if it never does. */
const tooDeepAt = (text: string): number | undefined => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/u;

export const formatPath = (path: JsonPath): string => {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
};

const computeLineStarts = (text: string): number[] => {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
};

const positionAt = (doc: Pick<JsonDocument, "lineStarts">, offset: number): { line: number; column: number } => {
  const starts = doc.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
};

const describeParseError = (error: ParseError): string => {
  switch (printParseErrorCode(error.error)) {
    case "InvalidSymbol":
      return "unexpected character";
    case "InvalidNumberFormat":
      return "invalid number";
    case "PropertyNameExpected":
      return "expected a property name in double quotes";
    case "ValueExpected":
      return "expected a value";
    case "ColonExpected":
      return "expected ':'";
    case "CommaExpected":
      return "expected ','";
    case "CloseBraceExpected":
      return "expected '}'";
    case "CloseBracketExpected":
      return "expected ']'";
    case "EndOfFileExpected":
      return "unexpected content after the end of the JSON value";
    case "InvalidCommentToken":
      return "comments are not allowed in JSON";
    case "UnexpectedEndOfComment":
    case "UnexpectedEndOfString":
      return "unterminated string or comment";
    case "UnexpectedEndOfNumber":
      return "unterminated number";
    case "InvalidUnicode":
      return "invalid unicode escape";
    case "InvalidEscapeCharacter":
      return "invalid escape character";
    case "InvalidCharacter":
      return "invalid character in string (control characters must be escaped)";
    default:
      return "invalid JSON";
  }
};

const findDuplicateKeys = (doc: JsonDocument, node: Node, path: (string | number)[]): void => {
  if (node.type === "object") {
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (keyNode === undefined) continue;
      const key = String(keyNode.value);
      const refuse = (code: string, message: string, hint: string): void => {
        doc.issues.push({ file: doc.file, ...positionAt(doc, keyNode.offset), path: formatPath([...path, key]), severity: "error", code, message, hint });
      };
      if (FORBIDDEN_KEYS.has(key))
        refuse("forbidden-key", `the key "${key}" is not allowed`, "no proposal or inventory field has this name, and JavaScript objects give it a meaning of its own; remove it or rename it");
      if (seen.has(key)) refuse("duplicate-key", `key "${key}" appears more than once`, "JSON readers silently keep only one of them; remove the duplicate");
      seen.add(key);
      if (valueNode !== undefined) findDuplicateKeys(doc, valueNode, [...path, key]);
    }
  } else if (node.type === "array") {
    (node.children ?? []).forEach((child, index) => findDuplicateKeys(doc, child, [...path, index]));
  }
};

/** Parses strict JSON (no comments, no trailing commas) keeping a tree for positions. */
export const parseJsonDocument = (text: string, file: string): JsonDocument => {
  const errors: ParseError[] = [];
  // A UTF-8 byte order mark is harmless; do not report it as a syntax error.
  const body = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const refuse = (offset: number, code: string, message: string, hint: string): JsonDocument => {
    const doc: JsonDocument = { file, text, tree: undefined, value: undefined, lineStarts: computeLineStarts(text), issues: [] };
    doc.issues.push({ file, ...positionAt(doc, offset), path: "", severity: "error", code, message, hint });
    return doc;
  };
  // Checked before parsing: the parser and every walk after it recurse, and a deep enough document
  // would overflow the stack.
  if (text.length > MAX_DOCUMENT_BYTES)
    return refuse(0, "too-large", `the document is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`, "a proposal or an inventory is a few kilobytes; this is not one");
  const deep = tooDeepAt(body);
  if (deep !== undefined)
    return refuse(deep, "too-deep", `objects and arrays are nested more than ${MAX_NESTING} deep here`, "no proposal or inventory field is nested this deep; this is not one");
  const tree = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const doc: JsonDocument = { file, text, tree, value: undefined, lineStarts: computeLineStarts(text), issues: [] };
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const { line, column } = positionAt(doc, first?.offset ?? 0);
    doc.issues.push({
      file,
      line,
      column,
      path: "",
      severity: "error",
      code: "json-syntax",
      message: first === undefined || body.trim() === "" ? "the file is empty" : describeParseError(first),
      hint: "fix the JSON syntax at this position (a proposal is plain JSON: no comments, no trailing commas)",
    });
    doc.tree = undefined;
    return doc;
  }
  doc.value = JSON.parse(body);
  findDuplicateKeys(doc, tree, []);
  return doc;
};

/**
 * The position of the deepest existing node on `path`: the key itself when `at` is "key" and the
 * key exists, otherwise its value; for a path that does not exist, its nearest existing parent.
 */
export const locate = (doc: JsonDocument, path: JsonPath, at: "key" | "value" = "value"): { line: number; column: number } => {
  if (doc.tree === undefined) return { line: 1, column: 1 };
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(doc.tree, path.slice(0, depth));
    if (node === undefined) continue;
    const keyNode = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
    const offset = at === "key" && depth === path.length && keyNode !== undefined ? keyNode.offset : node.offset;
    return positionAt(doc, offset);
  }
  return { line: 1, column: 1 };
};

/** Whether the document spells out a value at `path` (as opposed to taking the default). */
export const hasPath = (doc: JsonDocument, path: JsonPath): boolean =>
  doc.tree !== undefined && findNodeAtLocation(doc.tree, path as (string | number)[]) !== undefined;
