/** Directories: the ones Glance owns (store, cache, logs, working areas) and parents that only must exist. */
import { posix } from "node:path";
import { compareCodePoints } from "../../text-order.js";
import type { ReleaseInput, ReleaseModule } from "../../releases/types.js";
import type { ServiceName } from "../../glance.js";
import type { Resolution } from "../../proposal/resolve.js";
import { CRON_DIR, SYSTEMD_DIR } from "../conventions.js";
import type { DirectoryResource } from "../types.js";

/** The services a release configures: long-lived ones plus its periodic tools. */
const servicesOf = (module: ReleaseModule): ServiceName[] => [...module.longLived.map((l) => l.service), ...module.periodicJobs.map((j) => j.job)];

export const directoryResources = (input: ReleaseInput, module: ReleaseModule, configPaths: string[], resolution: Resolution): DirectoryResource[] => {
  const g = input.glance;
  const managed = new Map<string, string>();
  const addManaged = (path: string, why: string): void => {
    if (!managed.has(path)) managed.set(path, why);
  };
  addManaged(g.working_directory, "working directory");
  addManaged(g.pid_directory, "PID directory");
  if (g.default_store === "file") addManaged(g.filesystem_store_datadir, "image store");
  if (g.enable_caching) {
    addManaged(g.image_cache_datadir, "image cache");
    for (const sub of module.cacheSubdirectories) addManaged(`${g.image_cache_datadir}/${sub}`, "image cache work area");
  }
  for (const service of servicesOf(module)) addManaged(posix.dirname(g[service].log_file), "log directory");
  if (resolution.database.kind === "sqlite") addManaged(posix.dirname(resolution.database.file), "SQLite directory");
  for (const extra of module.extraDirectories(input)) addManaged(extra, "working area");

  const existOnly = new Set<string>([...configPaths.map((p) => posix.dirname(p)), SYSTEMD_DIR, CRON_DIR]);
  const resources: DirectoryResource[] = [...managed].map(([path, why]) => ({
    kind: "directory",
    id: `dir:${path}`,
    phase: "directories",
    path,
    owner: "glance",
    group: "glance",
    mode: "0750",
    manageOwnership: true,
    description: why,
  }));
  for (const path of existOnly) {
    if (managed.has(path)) continue;
    resources.push({
      kind: "directory",
      id: `dir:${path}`,
      phase: "directories",
      path,
      owner: "root",
      group: "root",
      mode: "0755",
      manageOwnership: false,
      description: "parent of managed files",
    });
  }
  return resources.sort((a, b) => compareCodePoints(a.path, b.path));
};
