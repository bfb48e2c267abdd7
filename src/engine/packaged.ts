/**
 * Cron entries that a distribution's Glance package ships for the same tools (Debian's and SUSE's
 * packages did): found here so the plan does not schedule a job twice.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PeriodicJobName } from "../core/glance.js";
import { CRON_DIR, MANAGED_MARKER } from "../core/plan/conventions.js";
import type { Root } from "./root.js";

export type PackagedCron = Partial<Record<PeriodicJobName, string>>;

export const findPackagedCron = (root: Root, jobs: ReadonlyArray<{ job: PeriodicJobName; binary: string }>): PackagedCron => {
  const found: PackagedCron = {};
  const dir = root.resolve(CRON_DIR, { followFinal: true });
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names.sort()) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      continue;
    }
    if (text.includes(MANAGED_MARKER)) continue;
    const lines = text.split("\n").filter((line) => !line.trimStart().startsWith("#"));
    for (const { job, binary } of jobs) {
      const tool = binary.split("/").pop() as string;
      if (found[job] === undefined && lines.some((line) => new RegExp(`(^|[\\s/])${tool}(\\s|$)`, "u").test(line))) found[job] = `${CRON_DIR}/${name}`;
    }
  }
  return found;
};
