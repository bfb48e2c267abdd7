/**
 * Ansible's inventory from a proposal's glance-server elements and the inventory's nodes, in the
 * shape Ansible's yaml inventory plugin reads from a .json file. Group names may not hold "-" in
 * Ansible, so the role glance-server is the group glance_server.
 */
import { glanceServers } from "./proposal/elements.js";
import type { Inventory } from "./proposal/inventory.js";
import type { Proposal } from "./proposal/schema.js";

const ANSIBLE_GROUP = "glance_server";

interface AnsibleHost {
  ansible_host: string;
  glance_barclamp_node: string;
}

export interface AnsibleInventory {
  all: { children: { [ANSIBLE_GROUP]: { hosts: Record<string, AnsibleHost> } } };
}

/** Hosts in the proposal's order (its first is the one that migrates the schema); undefined when it names none. */
export const buildAnsibleInventory = (proposal: Proposal, inventory: Inventory): AnsibleInventory | undefined => {
  const servers = glanceServers(proposal).filter((node) => inventory.nodes[node] !== undefined);
  if (servers.length === 0) return undefined;
  const hosts = Object.fromEntries(
    servers.map((node): [string, AnsibleHost] => [node, { ansible_host: (inventory.nodes[node] as { admin_address: string }).admin_address, glance_barclamp_node: node }]),
  );
  return { all: { children: { [ANSIBLE_GROUP]: { hosts } } } };
};
