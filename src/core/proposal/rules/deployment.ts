/** The deployment: its roles and nodes, what several nodes must share, where the scrubber runs. */
import { GLANCE_SERVER_ROLE } from "../../glance.js";
import { glanceServers } from "../elements.js";
import type { Finding } from "../resolve.js";
import { nearest } from "../schema-walk.js";
import { INSTANCE_FIELDS } from "./instances.js";
import { ELEMENTS, G, type Check, type Rule } from "./types.js";

const elementsValid: Check = ({ proposal, inventory }) => {
  const findings: Finding[] = [];
  const elements = proposal.deployment.glance.elements;
  for (const [role, nodes] of Object.entries(elements)) {
    if (role !== GLANCE_SERVER_ROLE) {
      findings.push({
        path: [...ELEMENTS, role],
        severity: "error",
        code: "unknown-role",
        message: `unknown role "${role}"`,
        hint: `this barclamp has one role: "${GLANCE_SERVER_ROLE}"`,
      });
      continue;
    }
    const seen = new Set<string>();
    nodes.forEach((node, index) => {
      if (seen.has(node))
        findings.push({
          path: [...ELEMENTS, role, index],
          severity: "error",
          code: "duplicate-node",
          message: `node "${node}" is listed twice`,
          hint: "list each node once",
        });
      seen.add(node);
      if (inventory !== undefined && inventory.nodes[node] === undefined) {
        const suggestion = nearest(node, Object.keys(inventory.nodes));
        findings.push({
          path: [...ELEMENTS, role, index],
          severity: "error",
          code: "unknown-node",
          message: `node "${node}" is not in the inventory`,
          hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : "add the node to the inventory's nodes",
        });
      }
    });
  }
  return findings;
};

const multiNodeShared: Check = ({ proposal, resolution }) => {
  const servers = new Set(glanceServers(proposal));
  if (servers.size <= 1) return [];
  const findings: Finding[] = [];
  if (resolution.database.kind !== "mysql")
    findings.push({
      path: [...G, "database"],
      severity: "error",
      code: "multi-node-database",
      message: `${servers.size} glance-server nodes cannot share an SQLite file`,
      hint: 'use MySQL: set database to "mysql" (or "auto") with a MySQL instance in the inventory',
    });
  if (resolution.database.kind === "mysql" && proposal.attributes.glance.mysql_password === undefined)
    findings.push({
      path: [...G, "database"],
      severity: "error",
      code: "multi-node-password",
      message: `${servers.size} glance-server nodes would each generate their own MySQL password for the shared user`,
      hint: 'set mysql_password (inline, {"env": NAME} or {"file": PATH}) so that every node uses the same one',
    });
  if (proposal.attributes.glance.default_store === "file")
    findings.push({
      path: [...G, "default_store"],
      severity: "error",
      code: "multi-node-store",
      message: `${servers.size} glance-server nodes would each keep images in their own local directory`,
      hint: 'use a shared store: set default_store to "swift"',
    });
  return findings;
};

const scrubberNode: Check = ({ proposal }) => {
  const node = proposal.attributes.glance.scrubber.node;
  const servers = glanceServers(proposal);
  if (node === undefined || servers.includes(node)) return [];
  return [
    {
      path: [...G, "scrubber", "node"],
      severity: "error",
      code: "scrubber-node",
      message: `scrubber node "${node}" is not a glance-server element`,
      hint: servers.length > 0 ? `choose one of: ${servers.join(", ")}` : "add it to deployment.glance.elements",
    },
  ];
};

export const DEPLOYMENT_RULES: readonly Rule[] = [
  { reads: [ELEMENTS], check: elementsValid },
  { reads: [ELEMENTS, ...INSTANCE_FIELDS, [...G, "default_store"], [...G, "mysql_password"]], check: multiNodeShared },
  { reads: [ELEMENTS, [...G, "scrubber", "node"]], check: scrubberNode },
];
