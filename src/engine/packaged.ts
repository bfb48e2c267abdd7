/**
 * Cron entries that a distribution's Glance package ships for the same tools (Debian's and SUSE's
 * packages did): found here so the plan does not schedule a job twice.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PeriodicJobName } from "../core/proposal/schema.js";
import { MANAGED_MARKER } from "../core/plan/build-plan.js";
import type { Root } from "./root.js";

export type PackagedCron = Partial<Record<PeriodicJobName, string>>;

export const findPackagedCron = async (root: Root, binaries: Readonly<Record<PeriodicJobName, string>>): Promise<PackagedCron> => {
  const found: PackagedCron = {};
  const dir = await root.resolve("/etc/cron.d", { followFinal: true });
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
    for (const [job, binary] of Object.entries(binaries) as Array<[PeriodicJobName, string]>) {
      const tool = binary.split("/").pop() as string;
      if (found[job] === undefined && lines.some((line) => new RegExp(`(^|[\\s/])${tool}(\\s|$)`, "u").test(line))) found[job] = `/etc/cron.d/${name}`;
    }
  }
  return found;
};
