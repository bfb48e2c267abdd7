import { SYSTEMD_DIR } from "../../core/plan/conventions.js";
import { failureError } from "../../errors.js";
import { maskText } from "../mask.js";
import type { Executor } from "../types.js";

/** A unit: enabled and started; restarted only when its unit or a file it reads changed. */
export const service: Executor<"service"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.unit };
  const triggers = resource.restartOn.filter((id) => context.pending.has(id));
  if (!context.root.isSystemRoot || !context.host.systemdRunning) {
    const why = context.root.isSystemRoot ? "systemd is not running" : "staging root";
    const would = triggers.length > 0 ? `would restart (${triggers.map((t) => t.replace(/^file:/u, "")).join(", ")} changed)` : "would enable and start";
    return { ...base, action: "skipped", details: [`${why}: ${would}`] };
  }
  const enabled = (await context.host.run(["systemctl", "is-enabled", "--quiet", resource.unit], 30_000)).code === 0;
  const active = (await context.host.run(["systemctl", "is-active", "--quiet", resource.unit], 30_000)).code === 0;
  if (enabled && active && triggers.length === 0) return { ...base, action: "unchanged", details: [] };
  const verb = !active ? "start" : triggers.length > 0 ? "restart" : "enable";
  // systemd reads unit files only on a reload: once per apply, when one of them changed.
  const unitChanged = (): boolean => [...context.pending].some((id) => id.startsWith(`file:${SYSTEMD_DIR}/`));
  return {
    ...base,
    action: "run",
    details: [`${enabled ? "" : "enable and "}${verb}${triggers.length > 0 ? ` (${triggers.map((t) => t.replace(/^file:/u, "")).join(", ")} changed)` : ""}`],
    apply: async () => {
      if (!context.daemonReloaded && unitChanged()) {
        await context.host.run(["systemctl", "daemon-reload"], 60_000);
        context.daemonReloaded = true;
      }
      if (!enabled) await context.host.run(["systemctl", "enable", resource.unit], 60_000);
      const result = await context.host.run(["systemctl", active && triggers.length > 0 ? "restart" : "start", resource.unit], 120_000);
      if (result.code !== 0) {
        const status = await context.host.run(["systemctl", "status", "--no-pager", "--lines=20", resource.unit], 30_000);
        throw failureError("service-failed", `${resource.unit} failed to ${verb}:\n${maskText(status.output, context.secretForms)}`, {
          hint: `journalctl -u ${resource.unit} shows the whole log`,
        });
      }
    },
  };
};
