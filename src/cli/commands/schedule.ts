import { ExitCode, usageError } from "../../errors.js";
import { loadOwnership } from "../../engine/ownership.js";
import { asUser } from "../../engine/host.js";
import { commandLogger } from "../output.js";
import type { PeriodicJobName } from "../../core/glance.js";
import { runJob, startScheduler, type Job } from "../../schedule/scheduler.js";
import { printWarnings } from "../diagnostics.js";
import { jsonReport } from "../format/report.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";

export interface ScheduleOptions extends PlanOptions {
  once?: string;
  grace: string;
  logFile?: string;
  json?: boolean;
}

export const runSchedule = async (file: string, options: ScheduleOptions): Promise<number> => {
  // The live system: cron entries its Glance package ships count.
  const { plan, warnings } = planProposal(file, { ...options, root: "/" });
  printWarnings(warnings);
  const log = commandLogger({ ...(options.logFile === undefined ? {} : { logFile: options.logFile }), showInfo: true });
  const ownership = loadOwnership(process.geteuid?.() ?? 0);
  // Run as cron would: as the glance user when we are root and it exists.
  const asGlance = ownership.enforced && ownership.hasUser("glance");
  const jobs: Job[] = plan.periodic
    .filter((p) => p.runsHere)
    .map((p) => ({
      name: p.job,
      schedule: p.schedule,
      argv: asGlance ? asUser("glance", p.command) : p.command,
    }));

  if (options.once !== undefined) {
    const job = jobs.find((j) => j.name === options.once);
    if (job === undefined) {
      const known = plan.periodic.find((p) => p.job === (options.once as PeriodicJobName));
      throw usageError("no-such-job", `${options.once} does not run on ${plan.node}${known === undefined ? "" : `: ${known.reason}`}`, {
        hint: `jobs on this node: ${jobs.map((j) => j.name).join(", ") || "none"}`,
      });
    }
    const record = await runJob(job, log, new Set());
    if (options.json === true) process.stdout.write(jsonReport({ run: record }));
    return record.exitCode === 0 ? ExitCode.ok : ExitCode.failure;
  }

  if (plan.periodicMode !== "none")
    throw usageError("scheduled-elsewhere", `periodic_jobs is "${plan.periodicMode}": ${plan.periodicMode === "cron" ? "cron already runs" : "systemd timers already run"} these jobs`, {
      hint: 'set periodic_jobs to "none" to run them with glance-barclamp schedule (or use --once JOB)',
    });
  if (jobs.length === 0) throw usageError("no-jobs", `no periodic job runs on ${plan.node}`);
  const scheduler = startScheduler(jobs, log);
  const graceMs = Number(options.grace) * 1000;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, "stopping: no new job starts");
      void scheduler.stop(graceMs).then(resolve);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  log.info({ runs: scheduler.runs.length }, "stopped");
  log.flush();
  return ExitCode.ok;
};
