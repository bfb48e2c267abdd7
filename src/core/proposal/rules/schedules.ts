/** Periodic jobs: a seconds field only where the foreground scheduler runs them. */
import { PERIODIC_JOBS } from "../../glance.js";
import { cronFieldCount } from "../../cron/grammar.js";
import { G, type Check, type Rule } from "./types.js";

const secondsSchedules: Check = ({ proposal }) => {
  const glance = proposal.attributes.glance;
  if (glance.periodic_jobs === "none") return [];
  return PERIODIC_JOBS.filter((job) => cronFieldCount(glance[job].schedule) === 6).map((job) => ({
    path: [...G, job, "schedule"],
    severity: "error" as const,
    code: "seconds-schedule",
    message: `a schedule with a seconds field cannot run from ${glance.periodic_jobs === "cron" ? "cron" : "a systemd timer"}`,
    hint: 'use 5 fields (minute hour day month weekday), or set periodic_jobs to "none" and run `glance-barclamp schedule`',
  }));
};

export const SCHEDULE_RULES: readonly Rule[] = [
  { reads: [[...G, "periodic_jobs"], ...PERIODIC_JOBS.map((job) => [...G, job, "schedule"])], check: secondsSchedules },
];
