/**
 * Resolves the plan's secret slots, only when applying: from the proposal or inventory field the
 * slot names (inline, an environment variable, or a file), or generated once and kept in the
 * state directory. Values are checked like any proposal text: one line, no control characters.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { formatPath } from "../core/proposal/load.js";
import { isBarclampError, secretError, type BarclampError } from "../errors.js";
import type { Plan, SecretSlot } from "../core/plan/types.js";
import type { StatePaths } from "./state.js";

export interface SecretDocuments {
  proposal: unknown;
  inventory: unknown;
}

/** Far above any password, key or token; a file larger than this is not a secret (README "Secrets"). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/u;

const valueAt = (document: unknown, path: readonly string[]): unknown => {
  let current = document;
  for (const step of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
};

/** "the Swift key (proposal field attributes.glance.swift_store_key, from the file /run/key)". */
const where = (slot: SecretSlot, origin: string): string =>
  "document" in slot.source ? `the ${slot.description} (${slot.source.document} field ${formatPath(slot.source.path)}, ${origin})` : `the ${slot.description} (${origin})`;

/** The same checks as an inline value gets from the schema: a reader must see exactly these bytes. */
const checked = (slot: SecretSlot, value: string, origin: string): string => {
  const what = where(slot, origin);
  if (value === "") throw secretError("empty-secret", `${what} is empty`, { hint: "give the secret a value" });
  if (CONTROL.test(value))
    throw secretError("bad-secret", `${what} holds a line break or another control character`, {
      hint: "a secret is one line; a file may end with one newline",
    });
  if (value.trim() !== value)
    throw secretError("bad-secret", `${what} starts or ends with white space, which config readers strip`, {
      hint: "remove the white space around the value",
    });
  return value;
};

/** Reads a secret file: a regular file of bounded size, read no further than the bound. */
const readSecretFile = (slot: SecretSlot, path: string): string => {
  const origin = `from the file ${path}`;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw secretError("secret-unreadable", `cannot read ${where(slot, origin)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "check the path and its permissions (apply reads it as the user running it)",
    });
  }
  try {
    if (!fstatSync(fd).isFile())
      throw secretError("secret-unreadable", `${where(slot, origin)} is not a regular file`, { hint: "write the secret into a regular file" });
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_SECRET_FILE_BYTES)
      throw secretError("secret-too-large", `${where(slot, origin)} is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB`, {
        hint: "a secret file holds one line: the secret",
      });
    return checked(slot, buffer.toString("utf8", 0, length).replace(/\r?\n$/u, ""), origin);
  } finally {
    closeSync(fd);
  }
};

/**
 * `generate`: create the generated password when it does not exist yet (apply); otherwise a
 * placeholder stands for it (diff and dry runs change nothing).
 */
export const resolveSecrets = (
  plan: Plan,
  documents: SecretDocuments,
  state: StatePaths,
  options: {
    generate: boolean;
    env: NodeJS.ProcessEnv;
    /** A preview's way round a secret it cannot resolve: the stand-in to use (the error says why). */
    onUnresolved?: (slot: SecretSlot, error: BarclampError) => string;
  },
): Map<string, string> => {
  const values = new Map<string, string>();
  for (const slot of plan.secrets) {
    if (options.onUnresolved !== undefined) {
      try {
        values.set(slot.name, resolveSlot(slot, documents, state, options));
      } catch (error) {
        if (!isBarclampError(error) || error.kind !== "secretUnresolved") throw error;
        values.set(slot.name, options.onUnresolved(slot, error));
      }
      continue;
    }
    values.set(slot.name, resolveSlot(slot, documents, state, options));
  }
  return values;
};

const resolveSlot = (slot: SecretSlot, documents: SecretDocuments, state: StatePaths, options: { generate: boolean; env: NodeJS.ProcessEnv }): string => {
  const source = slot.source;
  if ("generated" in source) {
    const file = `${state.secrets}/${source.generated}`;
    let value: string | undefined;
    try {
      value = readFileSync(file, "utf8").trim();
    } catch {
      value = undefined;
    }
    if (value === undefined && options.generate) {
      value = randomBytes(24).toString("base64url");
      mkdirSync(state.secrets, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
    }
    return value ?? "(generated on the first apply)";
  }
  const document = source.document === "proposal" ? documents.proposal : documents.inventory;
  const raw = valueAt(document, source.path);
  if (source.via === "inline") {
    if (typeof raw !== "string") throw new Error(`secret ${slot.name} is not inline at ${source.path.join(".")}`);
    return checked(slot, raw, "given inline");
  }
  if (source.via === "env") {
    const name = source.name as string;
    const value = options.env[name];
    if (value === undefined)
      throw secretError("secret-unset", `${where(slot, `from the environment variable ${name}`)}: ${name} is not set`, {
        hint: `export ${name} before applying`,
      });
    return checked(slot, value, `from the environment variable ${name}`);
  }
  return readSecretFile(slot, source.name as string);
};

/**
 * A value this short is masked by position only: by value it would also hide ordinary words (the
 * 2011 default Swift key is "glance", which is also a user name and in every path).
 */
const MIN_MASKED_BY_VALUE = 8;

/**
 * Every form a resolved secret can take in a file or a message (raw, URL-encoded, INI-escaped), for
 * masking text that was not produced from slots, such as the current content of a file.
 */
export const secretForms = (values: ReadonlyMap<string, string>): string[] => {
  const forms = new Set<string>();
  for (const value of values.values()) {
    for (const form of [value, encodeURIComponent(value)]) {
      forms.add(form);
      forms.add(form.replaceAll("$", () => "$$"));
      forms.add(form.replaceAll("%", () => "%%"));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_MASKED_BY_VALUE).sort((a, b) => b.length - a.length);
};
