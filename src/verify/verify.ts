/**
 * What an operator checks after an apply: files converge, units and cron entries are in place,
 * services run, each long-lived service answers the release's probes, the database is reachable and its
 * schema synced. One result per check; the CLI prints them and sets the exit code.
 */
import { applyPlan, type ApplyRequest } from "../engine/apply.js";
import { isPending } from "../engine/types.js";
import type { ConnectionInfo } from "../db/connection.js";
import type { Plan } from "../core/plan/types.js";
import { releaseModule } from "../core/releases/index.js";

type Outcome = "pass" | "fail" | "skip";

export interface CheckResult {
  check: string;
  outcome: Outcome;
  detail: string;
}

export interface VerifyRequest extends Omit<ApplyRequest, "dryRun"> {
  /** The database the node uses, or why it could not be determined. */
  connection: () => ConnectionInfo | Promise<ConnectionInfo>;
  timeoutMs?: number;
}

const probe = async (url: string, timeoutMs: number): Promise<{ status: number } | { error: string }> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.arrayBuffer();
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { error: cause ?? (error as Error).name };
  }
};

const reachable = (address: string): string => {
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
  return host.includes(":") ? `[${host}]` : host;
};

const httpCheck = async (name: string, base: string, paths: readonly string[], keystone: boolean, timeoutMs: number): Promise<CheckResult> => {
  const answers: string[] = [];
  for (const path of paths) {
    const result = await probe(`${base}${path}`, timeoutMs);
    if ("error" in result) return { check: name, outcome: "fail", detail: `${base}${path}: ${result.error}` };
    // /versions answers 200 or 300 even when the database is unusable: the image list is the real test.
    const ok = result.status < 400 || (keystone && (result.status === 401 || result.status === 403));
    if (!ok) return { check: name, outcome: "fail", detail: `${base}${path} answered ${result.status}` };
    answers.push(`${path} ${result.status}`);
  }
  return { check: name, outcome: "pass", detail: `${base}: ${answers.join(", ")}` };
};

export const verify = async (request: VerifyRequest): Promise<CheckResult[]> => {
  const plan: Plan = request.plan;
  const timeoutMs = request.timeoutMs ?? 5000;
  const results: CheckResult[] = [];

  const report = await applyPlan({ ...request, dryRun: true });
  const files = report.changes.filter((c) => ["directory", "file", "absent"].includes(c.kind));
  const drift = files.filter(isPending);
  results.push(
    drift.length === 0
      ? { check: "files", outcome: "pass", detail: `${files.length} directories and files as planned` }
      : { check: "files", outcome: "fail", detail: `pending: ${drift.map((c) => `${c.action} ${c.target}`).join(", ")}` },
  );
  for (const resource of plan.resources) {
    if (resource.kind !== "file" || resource.role === "config") continue;
    const change = report.changes.find((c) => c.id === resource.id);
    const label = resource.role === "cron" ? `cron ${resource.path.split("/").pop()}` : `unit ${resource.path.split("/").pop()}`;
    results.push(change === undefined || change.action === "create" ? { check: label, outcome: "fail", detail: `${resource.path} is missing` } : { check: label, outcome: "pass", detail: resource.path });
  }

  for (const resource of plan.resources) {
    if (resource.kind !== "service") continue;
    if (!request.host.systemdRunning || request.rootDir !== "/") {
      results.push({ check: `service ${resource.unit}`, outcome: "skip", detail: request.rootDir !== "/" ? "staging root" : "systemd is not running" });
      continue;
    }
    const active = await request.host.run(["systemctl", "is-active", resource.unit], 30_000);
    results.push({ check: `service ${resource.unit}`, outcome: active.code === 0 ? "pass" : "fail", detail: active.output.trim() });
  }

  const keystone = plan.keystone !== undefined;
  // What to ask each service is the release's knowledge; where it listens is the plan's.
  for (const probe of releaseModule(plan.release).probes) {
    const address = plan.bindAddresses[probe.service];
    const port = plan.ports[probe.service];
    if (address === undefined || port === undefined) continue;
    results.push(await httpCheck(probe.service, `http://${reachable(address)}:${port}`, probe.paths, keystone, timeoutMs));
  }

  try {
    const { openDatabase } = await import("../db/database.js");
    const { countImages, detectSchema } = await import("../db/images.js");
    const db = await openDatabase(await request.connection());
    try {
      const schema = await detectSchema(db);
      const images = await countImages(db);
      results.push(
        schema.tool === undefined
          ? { check: "database", outcome: "fail", detail: "tables exist but no migration record: run glance-barclamp db sync" }
          : { check: "database", outcome: "pass", detail: `${schema.tool} at ${schema.version ?? "?"}, ${images.active} images` },
      );
    } finally {
      await db.close();
    }
  } catch (error) {
    results.push({ check: "database", outcome: "fail", detail: (error as Error).message });
  }
  return results;
};
