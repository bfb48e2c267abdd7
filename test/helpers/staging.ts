/** Apply a plan into a staging root, then verify it, with a host that runs nothing (no systemd). */
import type { Plan } from "../../src/core/plan/types.js";
import type { Inventory } from "../../src/core/proposal/inventory.js";
import type { Proposal } from "../../src/core/proposal/schema.js";
import type { ConnectionInfo } from "../../src/db/connection.js";
import { applyPlan } from "../../src/engine/apply.js";
import { verify, type CheckResult } from "../../src/verify/verify.js";

export const applyThenVerify = async (
  plan: Plan,
  documents: { proposal: Proposal | undefined; inventory: Inventory | undefined },
  rootDir: string,
  connection: ConnectionInfo,
): Promise<CheckResult[]> => {
  const request = {
    plan,
    documents,
    rootDir,
    host: { run: () => Promise.resolve({ code: 0, output: "" }), systemdRunning: false, exists: () => false },
    log: { info: () => undefined, warn: () => undefined },
    env: {},
    euid: process.geteuid?.() ?? 0,
    command: "test",
  };
  await applyPlan({ ...request, dryRun: false });
  // The stub servers of these tests stand in for the live system's services.
  return verify({ ...request, connection: () => connection, timeoutMs: 2000, live: true });
};
