/**
 * Reads the zod schemas as data: the field at a path, its description and default, the keys an
 * object knows, and which fields are marked secret. This is what makes the schema the single
 * source of truth for hints, documentation and redaction.
 */
import * as z from "zod";
import type { JsonPath } from "./load.js";

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  valueType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  defaultValue?: unknown;
}

const defOf = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch", "nonoptional"]);

/** The schema under default/optional/... wrappers; the wrappers' metadata is collected too. */
export const unwrap = (schema: AnySchema): { core: AnySchema; layers: AnySchema[] } => {
  const layers: AnySchema[] = [schema];
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) current = def.innerType;
    else if (def.type === "pipe" && def.in !== undefined) current = def.in;
    else break;
    layers.push(current);
  }
  return { core: current, layers };
};

const metaOf = (schema: AnySchema): Record<string, unknown> | undefined => z.globalRegistry.get(schema);

/** The child schema of `schema` at one path step, or undefined. */
const childOf = (schema: AnySchema, step: string | number): AnySchema | undefined => {
  const { core } = unwrap(schema);
  const def = defOf(core);
  if (def.type === "object" && def.shape !== undefined && typeof step === "string") return def.shape[step];
  if (def.type === "record" && typeof step === "string") return def.valueType;
  if (def.type === "array" && typeof step === "number") return def.element;
  return undefined;
};

export const schemaAt = (schema: AnySchema, path: JsonPath): AnySchema | undefined => {
  let current: AnySchema | undefined = schema;
  for (const step of path) {
    if (current === undefined) return undefined;
    current = childOf(current, step);
  }
  return current;
};

export interface FieldInfo {
  description?: string;
  hasDefault: boolean;
  defaultValue?: unknown;
  secret: boolean;
}

export const fieldInfo = (schema: AnySchema): FieldInfo => {
  const { layers } = unwrap(schema);
  const info: FieldInfo = { hasDefault: false, secret: false };
  for (const layer of layers) {
    const meta = metaOf(layer);
    if (info.description === undefined && typeof meta?.description === "string") info.description = meta.description;
    if (meta?.["x-secret"] === true) info.secret = true;
    const def = defOf(layer);
    if (!info.hasDefault && def.type === "default") {
      info.hasDefault = true;
      info.defaultValue = typeof def.defaultValue === "function" ? (def.defaultValue as () => unknown)() : def.defaultValue;
    }
  }
  return info;
};

/** Keys an object schema at `path` accepts (for "did you mean" hints). */
export const knownKeysAt = (schema: AnySchema, path: JsonPath): string[] => {
  const at = schemaAt(schema, path);
  if (at === undefined) return [];
  const def = defOf(unwrap(at).core);
  return def.type === "object" && def.shape !== undefined ? Object.keys(def.shape) : [];
};

/** Path patterns of every field marked secret; "*" stands for any record key or array index. */
export const secretPathPatterns = (schema: AnySchema): string[][] => {
  const found: string[][] = [];
  const walk = (node: AnySchema, path: string[]): void => {
    if (fieldInfo(node).secret) {
      found.push(path);
      return;
    }
    const def = defOf(unwrap(node).core);
    if (def.type === "object" && def.shape !== undefined) {
      for (const [key, child] of Object.entries(def.shape)) walk(child, [...path, key]);
    } else if (def.type === "record" && def.valueType !== undefined) walk(def.valueType, [...path, "*"]);
    else if (def.type === "array" && def.element !== undefined) walk(def.element, [...path, "*"]);
  };
  walk(schema, []);
  return found;
};

/** Levenshtein distance, for nearest-key suggestions. */
const editDistance = (a: string, b: string): number => {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
};

export const nearest = (word: string, candidates: readonly string[]): string | undefined => {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.ceil(word.length / 3));
  return bestDistance <= limit ? best : undefined;
};
