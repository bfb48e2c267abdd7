import { GLANCE_SERVER_ROLE } from "../glance.js";
import type { Proposal } from "./schema.js";

/** The nodes of the glance-server role, in the proposal's order (the first one migrates the schema). */
export const glanceServers = (proposal: Proposal): string[] => proposal.deployment.glance.elements[GLANCE_SERVER_ROLE] ?? [];
