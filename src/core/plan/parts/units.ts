/** systemd units of the long-lived services; units of services this release does not have are removed. */
import type { LongLivedName } from "../../glance.js";
import type { ReleaseModule } from "../../releases/types.js";
import { RELEASE_MODULES } from "../../releases/index.js";
import { renderTemplate } from "../../render/engine.js";
import { SYSTEMD_DIR } from "../conventions.js";
import type { FileResource, Resource } from "../types.js";
import { absentResource, fileResource } from "./files.js";

export const unitPath = (service: LongLivedName): string => `${SYSTEMD_DIR}/glance-${service}.service`;

const runtimeDirectory = (pidDirectory: string): string | null => {
  for (const prefix of ["/run/", "/var/run/"]) if (pidDirectory.startsWith(prefix)) return pidDirectory.slice(prefix.length);
  return null;
};

export const unitResources = (
  module: ReleaseModule,
  header: string,
  glance: { working_directory: string; pid_directory: string },
  configOf: (service: LongLivedName) => string,
): { units: FileResource[]; absent: Resource[] } => {
  const units = module.longLived.map((service) =>
    fileResource(
      "unit",
      unitPath(service.service),
      renderTemplate("systemd/service", {
        header,
        description: service.description,
        after: (service.after ?? []).map((s) => `glance-${s}.service`).join(" "),
        exec_start: `${service.binary} --config-file ${configOf(service.service)}`,
        working_directory: glance.working_directory,
        runtime_directory: runtimeDirectory(glance.pid_directory),
      }),
      `systemd unit of glance-${service.service}`,
      "none",
    ),
  );
  const own = new Set(module.longLived.map((l) => l.service));
  const others = [...new Set(RELEASE_MODULES.flatMap((m) => m.longLived.map((l) => l.service)))].filter((s) => !own.has(s));
  return { units, absent: others.map((s) => absentResource(unitPath(s), "units", `no ${s} in this release`)) };
};
