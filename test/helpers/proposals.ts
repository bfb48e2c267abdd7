import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Inventory } from "../../src/core/proposal/inventory.js";
import type { Issue } from "../../src/core/proposal/load.js";
import { validateInventoryText, validateProposalText } from "../../src/core/proposal/validate.js";
import { PROPOSALS } from "./paths.js";

export type Json = Record<string, unknown>;

/** A Swift store every release accepts: an address with its scheme, the user as account:user. */
export const SWIFT_STORE = { default_store: "swift", swift_store_auth_address: "http://127.0.0.1:8080/auth/v1.0", swift_store_user: "glance:glance" } as const;

/** A minimal valid proposal; `glance` and `deployment` merge over it. */
export const proposalWith = (glance: Json = {}, elements?: Record<string, string[]>): Json => ({
  id: "bc-glance-test",
  description: "test",
  attributes: { glance: { database: "sqlite", use_keystone: false, ...glance } },
  ...(elements === undefined ? {} : { deployment: { glance: { elements } } }),
});

export const validate = (proposal: Json | string, inventory?: Inventory) => {
  const text = typeof proposal === "string" ? proposal : JSON.stringify(proposal, null, 2);
  return { text, ...validateProposalText(text, "p.json", inventory) };
};

export const inventory = (value: Json): Inventory => {
  const result = validateInventoryText(JSON.stringify(value), "inventory.json");
  if (result.inventory === undefined) throw new Error(JSON.stringify(result.issues));
  return result.inventory;
};

/** 1-based line of the first line containing `needle` (after `after`, when given). */
export const lineOf = (text: string, needle: string, after?: string): number => {
  const lines = text.split("\n");
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  const index = lines.findIndex((l, i) => i >= start && l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in text`);
  return index + 1;
};

export const only = (issues: Issue[], code: string): Issue => {
  const found = issues.filter((i) => i.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${JSON.stringify(issues, null, 1)}`);
  return found[0] as Issue;
};

export const readProposal = (name: string): string => readFileSync(join(PROPOSALS, name), "utf8");

export const SHIPPED = [
  { proposal: "crowbar-2011-default.json", inventory: undefined },
  { proposal: "zed-sqlite.json", inventory: undefined },
  { proposal: "mysql-swift.json", inventory: "mysql-swift.inventory.json" },
  { proposal: "three-node.json", inventory: "three-node.inventory.json" },
] as const;

export const shippedInventory = (name: string | undefined): Inventory | undefined =>
  name === undefined ? undefined : inventory(JSON.parse(readProposal(name)) as Json);
