/**
 * Resolves the plan's secret slots, only when applying: from the proposal or inventory field the
 * slot names (inline, an environment variable, or a file), or generated once and kept in the
 * state directory. Values are checked like any proposal text: one line, no control characters.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { failureError, invalidError } from "../errors.js";
import type { Plan, SecretSlot } from "../core/plan/types.js";
import type { StatePaths } from "./state.js";

export interface SecretDocuments {
  proposal: unknown;
  inventory: unknown;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const valueAt = (document: unknown, path: readonly string[]): unknown => {
  let current = document;
  for (const step of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
};

const checked = (slot: SecretSlot, value: string, origin: string): string => {
  if (value === "") throw invalidError("empty-secret", `the ${slot.description} from ${origin} is empty`);
  if (CONTROL.test(value))
    throw invalidError("bad-secret", `the ${slot.description} from ${origin} holds a line break or control character`, {
      hint: "a secret is one line; a file may end with one newline",
    });
  return value;
};

/**
 * `generate`: create the generated password when it does not exist yet (apply); otherwise a
 * placeholder stands for it (diff and dry runs change nothing).
 */
export const resolveSecrets = (
  plan: Plan,
  documents: SecretDocuments,
  state: StatePaths,
  options: { generate: boolean; env: NodeJS.ProcessEnv },
): Map<string, string> => {
  const values = new Map<string, string>();
  for (const slot of plan.secrets) {
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
      values.set(slot.name, value ?? "(generated on the first apply)");
      continue;
    }
    const document = source.document === "proposal" ? documents.proposal : documents.inventory;
    const raw = valueAt(document, source.path);
    if (source.via === "inline") {
      if (typeof raw !== "string") throw new Error(`secret ${slot.name} is not inline at ${source.path.join(".")}`);
      values.set(slot.name, checked(slot, raw, `${source.document} field ${source.path.join(".")}`));
    } else if (source.via === "env") {
      const name = source.name as string;
      const value = options.env[name];
      if (value === undefined)
        throw failureError("secret-unset", `the ${slot.description} comes from the environment variable ${name}, which is not set`, {
          hint: `export ${name} before applying`,
        });
      values.set(slot.name, checked(slot, value, `environment variable ${name}`));
    } else {
      const path = source.name as string;
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        throw failureError("secret-unreadable", `cannot read the ${slot.description} from ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      values.set(slot.name, checked(slot, text.replace(/\r?\n$/u, ""), `file ${path}`));
    }
  }
  return values;
};

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
  return [...forms].filter((f) => f.length >= 3).sort((a, b) => b.length - a.length);
};
