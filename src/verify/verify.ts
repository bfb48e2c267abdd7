/**
 * What an operator checks after an apply: files converge, units and cron entries are in place,
 * services run, each long-lived service answers the release's probes, the database is reachable and its
 * schema synced. One result per check; the CLI prints them and sets the exit code.
 */
import { applyPlan, type ApplyRequest } from "../engine/apply.js";
import { isPending, type Change } from "../engine/types.js";
import { isBarclampError } from "../errors.js";
import type { ConnectionInfo } from "../db/connection.js";
import type { KeystoneResource, Plan } from "../core/plan/types.js";
import { openRoot } from "../engine/root.js";
import { resolveSecrets } from "../engine/secrets.js";
import { statePaths } from "../engine/state.js";
import { reachable } from "../core/plan/addresses.js";
import { releaseModule } from "../core/releases/index.js";

type Outcome = "pass" | "fail" | "skip";

const FILE_KINDS = new Set(["directory", "file", "absent"]);

export interface CheckResult {
  check: string;
  outcome: Outcome;
  detail: string;
}

export interface VerifyRequest extends Omit<ApplyRequest, "dryRun"> {
  /** The database the node uses, or why it could not be determined. */
  connection: () => ConnectionInfo | Promise<ConnectionInfo>;
  timeoutMs?: number;
  /**
   * Whether the live checks (services, Keystone, the API, the database) run. Default: only for the
   * system root, since a staging root's services are not running and this host's ports say nothing
   * about it. Tests with stub servers set it.
   */
  live?: boolean;
}

const LIVE_ONLY = "staging root: checked on the live system only (verify --root /)";

const probe = async (url: string, timeoutMs: number, token?: string): Promise<{ status: number } | { error: string }> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", ...(token === undefined ? {} : { headers: { "x-auth-token": token } }) });
    await response.arrayBuffer();
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { error: cause ?? (error as Error).name };
  }
};


/**
 * One service's probes. Without Keystone every path must answer below 400 (/versions answers even
 * when the database is unusable: the image list is the real test). With Keystone a guarded path
 * must refuse a request without a token (401: authentication is on) and, when `token` is given,
 * answer one with it.
 */
const httpCheck = async (
  name: string,
  base: string,
  probeOf: { paths: readonly string[]; guarded: readonly string[] },
  keystone: { token: string | undefined } | undefined,
  timeoutMs: number,
): Promise<CheckResult> => {
  const answers: string[] = [];
  for (const path of probeOf.paths) {
    const guarded = keystone !== undefined && probeOf.guarded.includes(path);
    const result = await probe(`${base}${path}`, timeoutMs);
    if ("error" in result) return { check: name, outcome: "fail", detail: `${base}${path}: ${result.error}` };
    if (guarded) {
      if (result.status !== 401)
        return { check: name, outcome: "fail", detail: `${base}${path} answered ${result.status} without a token: Keystone authentication is not in effect` };
      answers.push(`${path} 401 without a token`);
      if (keystone.token === undefined) continue;
      const authorised = await probe(`${base}${path}`, timeoutMs, keystone.token);
      if ("error" in authorised) return { check: name, outcome: "fail", detail: `${base}${path}: ${authorised.error}` };
      if (authorised.status >= 400) return { check: name, outcome: "fail", detail: `${base}${path} answered ${authorised.status} with the glance user's token` };
      answers.push(`${authorised.status} with a token`);
      continue;
    }
    if (result.status >= 400) return { check: name, outcome: "fail", detail: `${base}${path} answered ${result.status}` };
    answers.push(`${path} ${result.status}`);
  }
  return { check: name, outcome: "pass", detail: `${base}: ${answers.join(", ")}` };
};

/** The glance user's password, resolved as apply resolves it. */
const serviceSecret = (request: VerifyRequest, registration: KeystoneResource): string => {
  const slot = registration.serviceUser.passwordSlot;
  const plan = { ...request.plan, secrets: request.plan.secrets.filter((s) => s.name === slot) };
  const secrets = resolveSecrets(plan, request.documents, statePaths(openRoot(request.rootDir), false), { generate: false, env: request.env });
  return secrets.get(slot) ?? "";
};

/** The store Glance was given: Swift with the configured credentials, or the file store's directory. */
const storeCheck = async (request: VerifyRequest): Promise<CheckResult> => {
  const store = request.plan.store;
  const { fileStoreCheck, swiftCheck } = await import("./store-checks.js");
  if (store.kind === "file") {
    const { loadOwnership } = await import("../engine/ownership.js");
    const ownership = loadOwnership(request.euid);
    return fileStoreCheck(store, openRoot(request.rootDir).resolve(store.path), request.host, ownership.enforced && ownership.hasUser("glance"));
  }
  const plan = { ...request.plan, secrets: request.plan.secrets.filter((s) => s.name === store.keySlot) };
  const key = resolveSecrets(plan, request.documents, statePaths(openRoot(request.rootDir), false), { generate: false, env: request.env }).get(store.keySlot) ?? "";
  return swiftCheck(store, key);
};

export const verify = async (request: VerifyRequest): Promise<CheckResult[]> => {
  const plan: Plan = request.plan;
  const timeoutMs = request.timeoutMs ?? 5000;
  const results: CheckResult[] = [];

  // Only the files are compared here: the database, Keystone and the images have their own checks,
  // and one of them being down must not hide the others.
  const filesPlan: Plan = { ...plan, resources: plan.resources.filter((r) => FILE_KINDS.has(r.kind)) };
  let changes: Change[] = [];
  try {
    changes = (await applyPlan({ ...request, plan: filesPlan, dryRun: true })).changes;
    const drift = changes.filter(isPending);
    results.push(
      drift.length === 0
        ? { check: "files", outcome: "pass", detail: `${changes.length} directories and files as planned` }
        : { check: "files", outcome: "fail", detail: `pending: ${drift.map((c) => `${c.action} ${c.target}`).join(", ")}` },
    );
  } catch (error) {
    // A secret that cannot be resolved is the operator's to fix before anything can be compared.
    if (isBarclampError(error) && error.kind === "secretUnresolved") throw error;
    results.push({ check: "files", outcome: "fail", detail: error instanceof Error ? error.message : String(error) });
  }
  const report = { changes };
  for (const resource of plan.resources) {
    if (resource.kind !== "file" || resource.role === "config") continue;
    const change = report.changes.find((c) => c.id === resource.id);
    const label = resource.role === "cron" ? `cron ${resource.path.split("/").pop()}` : `unit ${resource.path.split("/").pop()}`;
    results.push(change === undefined || change.action === "create" ? { check: label, outcome: "fail", detail: `${resource.path} is missing` } : { check: label, outcome: "pass", detail: resource.path });
  }

  const live = request.live ?? openRoot(request.rootDir).isSystemRoot;
  for (const resource of plan.resources) {
    if (resource.kind !== "service") continue;
    if (!live || !request.host.systemdRunning) {
      results.push({ check: `service ${resource.unit}`, outcome: "skip", detail: live ? "systemd is not running" : LIVE_ONLY });
      continue;
    }
    const active = await request.host.run(["systemctl", "is-active", resource.unit], 30_000);
    results.push({ check: `service ${resource.unit}`, outcome: active.code === 0 ? "pass" : "fail", detail: active.output.trim() });
  }

  if (!live) {
    const probed = releaseModule(plan.release).probes.filter((p) => plan.bindAddresses[p.service] !== undefined && plan.ports[p.service] !== undefined);
    const skipped = [...(plan.keystone === undefined ? [] : ["keystone"]), "store", ...probed.map((p) => p.service), "database"];
    return [...results, ...skipped.map((check): CheckResult => ({ check, outcome: "skip", detail: LIVE_ONLY }))];
  }

  // With Keystone: the glance user's token, the catalog of its region; the token then opens the API.
  let keystone: { token: string | undefined } | undefined;
  if (plan.keystone !== undefined) {
    const registration = plan.resources.find((r): r is KeystoneResource => r.kind === "keystone");
    if (registration === undefined) {
      keystone = { token: undefined };
      results.push({ check: "keystone", outcome: "skip", detail: `release ${plan.release} takes Keystone tokens glance-barclamp cannot request (its v2 era): only 401 without a token is checked` });
    } else {
      const { keystoneChecks } = await import("./keystone-checks.js");
      const password = serviceSecret(request, registration);
      const checked = await keystoneChecks(registration, password);
      results.push(...checked.results);
      keystone = { token: checked.token };
    }
  }
  results.push(await storeCheck(request));

  // What to ask each service is the release's knowledge; where it listens is the plan's.
  for (const probe of releaseModule(plan.release).probes) {
    const address = plan.bindAddresses[probe.service];
    const port = plan.ports[probe.service];
    if (address === undefined || port === undefined) continue;
    results.push(await httpCheck(probe.service, `http://${reachable(address)}:${port}`, probe, keystone, timeoutMs));
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
