/** Which database a command reads: --connection, or the proposal's own (validated lazily). */
import { parseConnection, type ConnectionInfo } from "../db/connection.js";
import { usageError } from "../errors.js";
import type { PlanOptions } from "./plan-proposal.js";

export const databaseTarget = async (
  proposal: string | undefined,
  options: PlanOptions & { root: string; connection?: string },
  command: string,
): Promise<ConnectionInfo> => {
  if (options.connection !== undefined) return parseConnection(options.connection);
  // Only a proposal needs validation (zod) and a plan: --connection never loads them.
  if (proposal !== undefined) return (await import("./proposal-connection.js")).connectionOfProposal(proposal, options);
  throw usageError("no-database", `${command} needs a proposal or --connection URL`);
};
