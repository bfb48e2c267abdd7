import type { Inventory } from "../inventory.js";
import type { Finding, Resolution } from "../resolve.js";
import type { Proposal } from "../schema.js";

export interface RuleContext {
  proposal: Proposal;
  inventory: Inventory | undefined;
  resolution: Resolution;
  /** Whether the proposal file spells out a value at a path (rather than taking the default). */
  spelledOut: (path: ReadonlyArray<string | number>) => boolean;
}

export type Check = (context: RuleContext) => Finding[];

/**
 * A rule and the fields it reads. When the schema rejected some fields, the rules still run on the
 * rest of the proposal (every problem at once), except those that read a rejected field.
 */
export interface Rule {
  reads: ReadonlyArray<ReadonlyArray<string | number>>;
  check: Check;
}

/** Where the barclamp's attributes and its deployment live in a proposal. */
export const G = ["attributes", "glance"] as const;
export const ELEMENTS = ["deployment", "glance", "elements"] as const;
