import { jsonReport } from "../format/report.js";
import { ExitCode, failureError } from "../../errors.js";
import { rollbackLatest } from "../../engine/backup.js";
import { acquireLock } from "../../engine/lock.js";
import { loadOwnership } from "../../engine/ownership.js";
import { openRoot } from "../../engine/root.js";
import { statePaths } from "../../engine/state.js";

export const runRollback = async (options: { root: string; json?: boolean }): Promise<number> => {
  const root = openRoot(options.root);
  const state = statePaths(root, true);
  const lock = await acquireLock(state.lock, "glance-barclamp rollback");
  try {
    const euid = process.geteuid?.() ?? 0;
    const result = rollbackLatest(root, state, euid === 0, loadOwnership(euid).ids("root", "glance"));
    if (result === undefined) throw failureError("no-backup", `no apply to roll back in ${root.path}`, { hint: "rollback restores what the last apply changed" });
    if (options.json === true) process.stdout.write(jsonReport(result));
    else
      process.stdout.write(
        [...result.restored.map((p) => `restored ${p}`), ...result.removed.map((p) => `removed ${p}`), `rolled back apply ${result.id}`].join("\n") + "\n",
      );
    return ExitCode.ok;
  } finally {
    lock.release();
  }
};
