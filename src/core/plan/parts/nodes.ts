/**
 * What the planner needs to know about the node before anything else: that it belongs to the
 * proposal, where its services bind, and that the inventory describes the instances it uses. Each
 * refusal carries the JSON path of the field to change, so the caller can give its position.
 */
import { invalidError } from "../../../errors.js";
import type { Inventory } from "../../proposal/inventory.js";
import type { Resolution } from "../../proposal/resolve.js";
import type { Proposal } from "../../proposal/schema.js";
import { glanceServers } from "../../proposal/elements.js";
import { GLANCE_SERVER_ROLE } from "../../glance.js";

/** Where a planning error points: a field of the proposal or of the inventory. */
export interface PlanErrorDetail {
  document: "proposal" | "inventory";
  path: Array<string | number>;
}

export const checkPlanNode = (proposal: Proposal, node: string): void => {
  const servers = glanceServers(proposal);
  if (servers.length > 0 && !servers.includes(node))
    throw invalidError("node-not-element", `node "${node}" is not a glance-server element of ${proposal.id}`, {
      hint: `pass --node with one of: ${servers.join(", ")}`,
      detail: { document: "proposal", path: ["deployment", "glance", "elements", GLANCE_SERVER_ROLE] } satisfies PlanErrorDetail,
    });
};

export const bindAddress = (open: boolean, service: "api" | "registry", node: string, inventory: Inventory | undefined): string => {
  if (open) return "0.0.0.0";
  const address = inventory?.nodes[node]?.admin_address;
  if (address === undefined)
    throw invalidError("no-admin-address", `the ${service === "api" ? "API" : service} binds to the admin address of "${node}", which is unknown`, {
      hint:
        inventory === undefined
          ? "pass --inventory with the node's admin_address, or set bind_open_address to true"
          : `add nodes.${node}.admin_address to the inventory, or set bind_open_address to true`,
      detail: { document: "proposal", path: ["attributes", "glance", service, "bind_open_address"] } satisfies PlanErrorDetail,
    });
  return address;
};

export const requireInventory = (resolution: Resolution): void => {
  if (resolution.database.kind === "mysql" && resolution.database.instance === undefined)
    throw invalidError("inventory-required", `MySQL instance "${resolution.database.instanceName}" needs an inventory to be planned`, {
      hint: "pass --inventory with that instance's host, port and admin credentials",
      detail: { document: "proposal", path: ["attributes", "glance", "mysql_instance"] } satisfies PlanErrorDetail,
    });
  if (resolution.keystone !== undefined && resolution.keystone.instance === undefined)
    throw invalidError("inventory-required", `Keystone instance "${resolution.keystone.instanceName}" needs an inventory to be planned`, {
      hint: "pass --inventory with that instance's endpoints and credentials",
      detail: { document: "proposal", path: ["attributes", "glance", "keystone_instance"] } satisfies PlanErrorDetail,
    });
};
