/**
 * The foreground scheduler behind `glance-barclamp schedule`, for nodes without cron or timers
 * (containers): node-cron fires each job on its schedule, as our cron grammar expanded it; a job never starts while its previous run
 * is still going (the skip is logged); every run is one log line; on stop, no new run starts and
 * running ones get a bounded time to finish.
 */
import { spawn, type ChildProcess } from "node:child_process";
import cron from "node-cron";
import { cronToSchedulerForms } from "../core/cron/scheduler-forms.js";
import { maskText } from "../engine/mask.js";

export interface Job {
  name: string;
  schedule: string;
  argv: string[];
}

export interface RunRecord {
  job: string;
  start: string;
  durationMs: number;
  exitCode: number;
  /** The last lines of its output, when it failed. */
  output?: string;
}

export interface SchedulerLog {
  info: (fields: object, message: string) => void;
  warn: (fields: object, message: string) => void;
}

const TAIL_LINES = 20;

/** Runs a job once; resolves when it ends. */
export const runJob = (job: Job, log: SchedulerLog, children: Set<ChildProcess>): Promise<RunRecord> =>
  new Promise((resolve) => {
    const started = Date.now();
    const [command, ...args] = job.argv;
    const child = spawn(command as string, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-16_384);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const finish = (exitCode: number, extra = ""): void => {
      children.delete(child);
      const record: RunRecord = { job: job.name, start: new Date(started).toISOString(), durationMs: Date.now() - started, exitCode };
      if (exitCode !== 0) record.output = maskText(`${output}${extra}`, []).split("\n").slice(-TAIL_LINES).join("\n");
      if (exitCode === 0) log.info(record, `${job.name} succeeded`);
      else log.warn(record, `${job.name} failed`);
      resolve(record);
    };
    child.on("error", (error) => finish(127, error.message));
    child.on("close", (code, signal) => finish(code ?? 128, signal === null ? "" : `killed by ${signal}`));
  });

export interface Scheduler {
  /** Stops scheduling, waits up to graceMs for running jobs, then kills what is left. */
  stop: (graceMs: number) => Promise<void>;
  runs: RunRecord[];
}

export const startScheduler = (jobs: readonly Job[], log: SchedulerLog): Scheduler => {
  const running = new Map<string, Promise<RunRecord>>();
  const children = new Set<ChildProcess>();
  const runs: RunRecord[] = [];
  // A day matching both forms of an "either" schedule fires both: the job runs once.
  const lastFired = new Map<string, number>();
  // node-cron gets the values our grammar expanded, never the schedule's text (one grammar).
  const tasks = jobs.flatMap((job) => {
    const forms = cronToSchedulerForms(job.schedule);
    return forms.map((form) => cron.schedule(
      form,
      () => {
        // Only an "either" schedule has two forms; both fire in the same second on a day both match.
        if (forms.length > 1) {
          const second = Math.floor(Date.now() / 1000);
          if (lastFired.get(job.name) === second) return;
          lastFired.set(job.name, second);
        }
        if (running.has(job.name)) {
          log.warn({ job: job.name }, `${job.name} skipped: its previous run is still going`);
          return;
        }
        const run = runJob(job, log, children).then((record) => {
          runs.push(record);
          running.delete(job.name);
          return record;
        });
        running.set(job.name, run);
      },
      { name: job.name },
    ));
  });
  log.info({ jobs: jobs.map((j) => ({ job: j.name, schedule: j.schedule })) }, `scheduling ${jobs.length} job(s)`);
  return {
    runs,
    stop: async (graceMs) => {
      for (const task of tasks) await task.stop();
      for (const task of tasks) await task.destroy();
      const pending = [...running.values()];
      if (pending.length > 0) {
        log.info({ jobs: [...running.keys()], graceMs }, "waiting for running jobs");
        const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
        if ((await Promise.race([Promise.all(pending), timer])) === "timeout") {
          for (const child of children) child.kill("SIGTERM");
          log.warn({ jobs: [...running.keys()] }, "jobs still running after the grace period were terminated");
          await Promise.all(pending);
        }
      }
    },
  };
};
