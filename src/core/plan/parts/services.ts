/** Long-lived services: enabled, started, and restarted when their unit or a file they read changes. */
import type { ReleaseModule, ConfigFileSpec } from "../../releases/types.js";
import type { ServiceResource } from "../types.js";
import { unitPath } from "./units.js";

/**
 * @param authenticatesWith the registration in Keystone, when there is one: a change there (the
 * glance user's password reset, endpoints moved) restarts the API, whose middleware caches its own
 * token and the catalog.
 */
export const serviceResources = (module: ReleaseModule, specs: readonly ConfigFileSpec[], authenticatesWith?: string): ServiceResource[] =>
  module.longLived.map(({ service }) => {
    const read = (spec: ConfigFileSpec): boolean => spec.service === service || (spec.readBy ?? []).includes(service);
    // Its own config file first, then the other files it reads, as the plan lists them.
    const files = [...specs.filter((s) => s.service === service), ...specs.filter((s) => s.service !== service && read(s))];
    return {
      kind: "service",
      id: `service:glance-${service}.service`,
      phase: "services",
      unit: `glance-${service}.service`,
      restartOn: [`file:${unitPath(service)}`, ...files.map((s) => `file:${s.path}`), ...(service === "api" && authenticatesWith !== undefined ? [authenticatesWith] : [])],
      description: `enable and start glance-${service}`,
    };
  });
