/** File resources: who owns them and how readable they are follows from what they hold. */
import { MANAGED_MARKER } from "../conventions.js";
import { slotNames } from "../../render/secret-slots.js";
import type { Proposal } from "../../proposal/schema.js";
import type { AbsentResource, FileResource, FileRole, Resource } from "../types.js";

export const headerFor = (proposal: Proposal): string => `# ${MANAGED_MARKER} from proposal ${proposal.id}: local changes are overwritten.`;

const PHASE_OF_ROLE: Record<FileRole, Resource["phase"]> = { config: "configs", unit: "units", cron: "periodic", timer: "periodic" };

export const fileResource = (
  role: FileRole,
  path: string,
  content: string,
  description: string,
  dialect: FileResource["dialect"],
  owner = "root",
  group = "root",
): FileResource => {
  const secrets = slotNames(content);
  // Anything holding a secret is readable by root and the glance group only.
  const secretive = secrets.length > 0;
  return {
    kind: "file",
    id: `file:${path}`,
    phase: PHASE_OF_ROLE[role],
    role,
    path,
    owner,
    group: secretive ? "glance" : group,
    mode: secretive ? "0640" : "0644",
    content,
    secrets,
    dialect,
    description,
  };
};

export const absentResource = (path: string, phase: Resource["phase"], description: string): AbsentResource => ({
  kind: "absent",
  id: `absent:${path}`,
  phase,
  path,
  description,
});
