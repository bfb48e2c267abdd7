/**
 * rollback: put back the files of the last apply (or of every apply back to one), then do what
 * apply does when files change: reload systemd when a unit changed, restart the services whose
 * inputs changed (only those running: try-restart). On a staging root, or without systemd, the
 * result says what would have been done.
 */
import { SYSTEMD_DIR } from "../core/plan/conventions.js";
import { listBackups, rollback, type BackupSummary, type RollbackResult } from "../engine/backup.js";
import { liveHost } from "../engine/host.js";
import { acquireLock } from "../engine/lock.js";
import { loadOwnership } from "../engine/ownership.js";
import { openRoot } from "../engine/root.js";
import { statePaths } from "../engine/state.js";
import type { Host } from "../engine/types.js";
import { failureError } from "../errors.js";
import { maskText } from "../engine/mask.js";

export interface RollbackReport extends RollbackResult {
  dryRun: boolean;
  /** systemctl calls made (or, on a staging root or without systemd, that would be made). */
  systemd: string[];
  systemdSkipped: string | undefined;
}

export const listRootBackups = (rootDir: string): BackupSummary[] => listBackups(statePaths(openRoot(rootDir), false));

export const rollbackRoot = async (rootDir: string, options: { to?: string; dryRun?: boolean; host?: Host; euid?: number }): Promise<RollbackReport> => {
  const root = openRoot(rootDir);
  const dryRun = options.dryRun === true;
  const state = statePaths(root, !dryRun);
  const lock = dryRun ? undefined : await acquireLock(state.lock, "glance-barclamp rollback");
  try {
    const euid = options.euid ?? process.geteuid?.() ?? 0;
    const result = rollback(root, state, {
      ...(options.to === undefined ? {} : { to: options.to }),
      dryRun,
      enforceOwners: euid === 0,
      secretOwner: loadOwnership(euid).ids("root", "glance"),
      systemdDir: SYSTEMD_DIR,
    });
    if (result === undefined) throw failureError("no-backup", `no apply to roll back in ${root.path}`, { hint: "rollback restores what the last apply changed" });
    const host = options.host ?? liveHost();
    const calls = [...(result.reload ? [["daemon-reload"]] : []), ...result.restart.map((unit) => ["try-restart", unit])];
    const live = root.isSystemRoot && host.systemdRunning;
    const report: RollbackReport = {
      ...result,
      dryRun,
      systemd: calls.map((c) => `systemctl ${c.join(" ")}`),
      systemdSkipped: calls.length === 0 ? undefined : !live ? (root.isSystemRoot ? "systemd is not running" : "staging root") : dryRun ? "dry run" : undefined,
    };
    if (live && !dryRun)
      for (const call of calls) {
        const done = await host.run(["systemctl", ...call], 120_000);
        if (done.code !== 0) throw failureError("service-failed", `the files were restored, but systemctl ${call.join(" ")} failed:\n${maskText(done.output, [])}`, { hint: "see journalctl for the unit" });
      }
    return report;
  } finally {
    lock?.release();
  }
};
