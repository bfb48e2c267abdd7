import { rmSync } from "node:fs";
import { tempPathFor } from "../atomic-write.js";
import type { Executor } from "../types.js";
import { SYSTEMD_DIR } from "../../core/plan/conventions.js";
import { failureError } from "../../errors.js";
import { maskText } from "../mask.js";
import { lstatOrUndefined, notAThing } from "./metadata.js";

/** A systemd unit file the plan drops (the registry on a release without one, timers after a switch to cron). */
const unitOf = (path: string): string | undefined => {
  const name = path.slice(SYSTEMD_DIR.length + 1);
  return path.startsWith(`${SYSTEMD_DIR}/`) && /^[^/]+\.(?:service|timer)$/u.test(name) ? name : undefined;
};

/**
 * A file the plan no longer has (a cron entry after caching is turned off): backed up, then
 * removed. A unit is first stopped and disabled, and systemd reloaded after, so that nothing the
 * plan dropped keeps running or starts at the next boot.
 */
export const absent: Executor<"absent"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = context.root.resolve(resource.path);
  // A killed apply of a plan that still wrote this file may have left its temporary beside it.
  rmSync(tempPathFor(resolved), { force: true });
  const stat = lstatOrUndefined(resolved);
  if (stat === undefined) return { ...base, action: "unchanged", details: [] };
  if (stat.isDirectory()) throw notAThing(context, resource.path, "a file");
  const unit = unitOf(resource.path);
  const live = context.root.isSystemRoot && context.host.systemdRunning;
  const systemd = async (argv: string[]): Promise<void> => {
    const result = await context.host.run(["systemctl", ...argv], 120_000);
    if (result.code !== 0) throw failureError("service-failed", `systemctl ${argv.join(" ")} failed:\n${maskText(result.output, context.secretForms)}`);
  };
  return {
    ...base,
    action: "remove",
    details: [
      resource.description,
      ...(unit === undefined ? [] : [live ? `stop and disable ${unit} first, then reload systemd` : `${context.root.isSystemRoot ? "systemd is not running" : "staging root"}: ${unit} is not stopped or disabled`]),
    ],
    apply: async () => {
      if (unit !== undefined && live) await systemd(["disable", "--now", unit]);
      // Only units and cron entries leave a plan: none of them holds a secret.
      context.backup?.save(resource.path, resolved, false);
      rmSync(resolved, { force: true });
      if (unit !== undefined && live) await systemd(["daemon-reload"]);
    },
  };
};
