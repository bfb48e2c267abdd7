/**
 * What a JSON file is, by its shape: a proposal, an inventory, or a JSON Schema (the ones
 * `proposals/` ships beside the proposals). Only the last two are recognised; anything else is
 * taken as a proposal, so that a broken proposal is reported, never skipped.
 */
export type DocumentKind = "proposal" | "inventory" | "json-schema";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const PROPOSAL_KEYS = ["id", "attributes", "deployment"];
const INVENTORY_KEYS = ["nodes", "mysql", "keystone"];

export const documentKind = (value: unknown): DocumentKind => {
  if (!isObject(value) || PROPOSAL_KEYS.some((key) => key in value)) return "proposal";
  const schema = value.$schema;
  if (typeof schema === "string" && /^https?:\/\/json-schema\.org\//u.test(schema)) return "json-schema";
  if (INVENTORY_KEYS.some((key) => key in value) && Object.keys(value).every((key) => key === "$schema" || INVENTORY_KEYS.includes(key))) return "inventory";
  return "proposal";
};

export const describeKind = (kind: DocumentKind): string => (kind === "json-schema" ? "a JSON Schema" : kind === "inventory" ? "an inventory" : "a proposal");
