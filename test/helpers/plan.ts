import { buildPlan } from "../../src/core/plan/build-plan.js";
import { fillSecrets, maskSecrets } from "../../src/core/render/secret-slots.js";
import type { FileResource, Plan } from "../../src/core/plan/types.js";
import type { Inventory } from "../../src/core/proposal/inventory.js";
import type { Release } from "../../src/core/releases/index.js";
import { validateProposalText } from "../../src/core/proposal/validate.js";
import { readProposal, shippedInventory, type Json } from "./proposals.js";

export const planOf = (proposal: Json | string, options: { inventory?: Inventory; node?: string; release?: Release } = {}): Plan => {
  const value = (typeof proposal === "string" ? JSON.parse(proposal) : structuredClone(proposal)) as Json & {
    attributes: { glance: Record<string, unknown> };
  };
  if (options.release !== undefined) {
    value.attributes.glance.release = options.release;
    if (options.release === "zed") delete value.attributes.glance.registry;
  }
  const result = validateProposalText(JSON.stringify(value), "p.json", options.inventory);
  if (result.proposal === undefined || result.resolution === undefined) throw new Error(JSON.stringify(result.issues, null, 1));
  return buildPlan({ proposal: result.proposal, resolution: result.resolution, inventory: options.inventory, node: options.node ?? "n1" });
};

export const planShipped = (name: string, inventoryName: string | undefined, release?: Release, node?: string): Plan =>
  planOf(readProposal(name), {
    inventory: shippedInventory(inventoryName),
    node: node ?? (inventoryName === undefined ? "n1" : "node1"),
    ...(release === undefined ? {} : { release }),
  });

export const files = (plan: Plan): FileResource[] => plan.resources.filter((r): r is FileResource => r.kind === "file");

export const fileAt = (plan: Plan, path: string): FileResource => {
  const file = files(plan).find((f) => f.path === path);
  if (file === undefined) throw new Error(`no file ${path} in plan`);
  return file;
};

export const masked = (file: FileResource): string => maskSecrets(file.content);

export const filled = (file: FileResource, secrets: Record<string, string>): string => fillSecrets(file, new Map(Object.entries(secrets)));

export const resourceAt = (plan: Plan, path: string) => plan.resources.find((r) => "path" in r && r.path === path);
