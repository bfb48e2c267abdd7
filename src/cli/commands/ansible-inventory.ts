import { ExitCode, invalidError } from "../../errors.js";
import { buildAnsibleInventory } from "../../core/ansible-inventory.js";
import { validatedProposal } from "../../app/plan-proposal.js";
import { GLANCE_SERVER_ROLE } from "../../core/glance.js";
import { printWarnings } from "../diagnostics.js";
import { jsonReport } from "../format/report.js";

/** Ansible's JSON inventory of the proposal's glance-server nodes (ansible_host: the admin address). */
export const runAnsibleInventory = (file: string, options: { inventory: string; json?: boolean }): number => {
  const { inventory, result } = validatedProposal(file, options.inventory);
  printWarnings(result.issues);
  const hosts = inventory === undefined ? undefined : buildAnsibleInventory(result.proposal, inventory);
  if (hosts === undefined)
    throw invalidError("no-glance-server", `the proposal assigns no node to the ${GLANCE_SERVER_ROLE} role`, {
      hint: `list the nodes in deployment.glance.elements["${GLANCE_SERVER_ROLE}"]`,
    });
  process.stdout.write(options.json === true ? jsonReport({ inventory: hosts }) : `${JSON.stringify(hosts, null, 2)}\n`);
  return ExitCode.ok;
};
