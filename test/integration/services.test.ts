import type { Server } from "node:http";
/**
 * Service actions through the real converge engine, on the live root ("/") but with a plan holding
 * only service resources, and a scripted host standing in for systemctl (no systemd runs here).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converge } from "../../src/engine/converge.js";
import type { ConvergeContext, Host } from "../../src/engine/types.js";
import { openRoot } from "../../src/engine/root.js";
import type { Plan } from "../../src/core/plan/types.js";
import { BarclampError } from "../../src/errors.js";
import { planOf } from "../helpers/plan.js";
import { proposalWith } from "../helpers/proposals.js";
import { listen, portOf } from "../helpers/http.js";
import { newRoot } from "../helpers/roots.js";

const scriptedHost = (state: { enabled: boolean; active: boolean; failStart?: boolean }, calls: string[][]): Host => ({
  systemdRunning: true,
  exists: () => true,
  run: (argv) => {
    calls.push([...argv]);
    const [, verb] = argv;
    if (verb === "is-enabled") return Promise.resolve({ code: state.enabled ? 0 : 1, output: "" });
    if (verb === "is-active") return Promise.resolve({ code: state.active ? 0 : 3, output: "" });
    if (verb === "status") return Promise.resolve({ code: 3, output: "● glance-api.service - failed\n   Active: failed (Result: exit-code)\n   connection=mysql://glance:hunter22@db/glancedb" });
    if ((verb === "start" || verb === "restart") && state.failStart === true) return Promise.resolve({ code: 1, output: "Job failed" });
    return Promise.resolve({ code: 0, output: "" });
  },
});

const servicesOnly = (plan: Plan): Plan => ({ ...plan, resources: plan.resources.filter((r) => r.kind === "service") });

const context = (plan: Plan, host: Host, pending: string[]): ConvergeContext => ({
  root: openRoot("/"),
  plan,
  ownership: { enforced: false, ids: () => ({ uid: 0, gid: 0 }), hasUser: () => false, warnings: [] },
  secrets: new Map(),
  secretForms: ["hunter22"],
  state: { dir: "/nonexistent", lock: "", secrets: "", backups: "/nonexistent/backups", dbSync: "" },
  host,
  log: { info: () => undefined, warn: () => undefined },
  pending: new Set(pending),
  backup: undefined,
  daemonReloaded: false,
});

describe("schema sync on the live system", () => {
  it("says plainly that Glance is not installed, and invents no schema", async () => {
    const plan = planOf(proposalWith({ release: "zed" }));
    const syncOnly = { ...plan, resources: plan.resources.filter((r) => r.kind === "db-sync") };
    const calls: string[][] = [];
    const host = { ...scriptedHost({ enabled: true, active: true }, calls), exists: () => false };
    const result = await converge(context(syncOnly, host, ["file:/etc/glance/glance-api.conf"]), false);
    expect(result.changes[0]).toMatchObject({ kind: "db-sync", action: "skipped", details: ["Glance is not installed: no schema was created"] });
    expect(calls).toEqual([]);
  });

  it("runs glance-manage as the glance user when applying as root", async () => {
    const plan = planOf(proposalWith({ release: "zed" }));
    const syncOnly = { ...plan, resources: plan.resources.filter((r) => r.kind === "db-sync") };
    const calls: string[][] = [];
    const ctx = context(syncOnly, scriptedHost({ enabled: true, active: true }, calls), ["file:/etc/glance/glance-api.conf"]);
    ctx.ownership = { ...ctx.ownership, enforced: true, hasUser: (user) => user === "glance" };
    ctx.state = { ...ctx.state, dbSync: `${process.env.TMPDIR ?? "/tmp"}/gb-db-sync-${process.pid}.json` };
    await converge(ctx, false);
    rmSync(ctx.state.dbSync, { force: true });
    expect(calls.filter((c) => c[0] !== "dpkg-query")).toEqual([["setpriv", "--reuid=glance", "--regid=glance", "--init-groups", "/usr/bin/glance-manage", "--config-file", "/etc/glance/glance-api.conf", "db_sync"]]);
  });

  it("runs when the database or Glance's version changed, not on a config edit", async () => {
    const record = `${process.env.TMPDIR ?? "/tmp"}/gb-db-sync-trigger-${process.pid}.json`;
    let version = "25.1.0-0+deb12u1";
    // dpkg-query says which package ships glance-manage, then its version.
    const host = (calls: string[][]): Host => ({
      systemdRunning: true,
      exists: () => true,
      run: (argv) => {
        calls.push([...argv]);
        if (argv[0] === "dpkg-query" && argv[1] === "-S") return Promise.resolve({ code: 0, output: "glance-common: /usr/bin/glance-manage\n" });
        if (argv[0] === "dpkg-query") return Promise.resolve({ code: 0, output: version });
        return Promise.resolve({ code: 0, output: "" });
      },
    });
    const sync = async (glance: Record<string, unknown>, pending: string[]) => {
      const plan = planOf(proposalWith({ release: "zed", ...glance }));
      const ctx = context({ ...plan, resources: plan.resources.filter((r) => r.kind === "db-sync") }, host([]), pending);
      ctx.state = { ...ctx.state, dbSync: record };
      return (await converge(ctx, false)).changes.find((c) => c.kind === "db-sync");
    };
    rmSync(record, { force: true });
    try {
      expect(await sync({}, [])).toMatchObject({ action: "run", details: ["it has not run on this node"] });
      // A config edit (here the API's log level) leaves the schema alone.
      expect(await sync({ api: { debug: true } }, ["file:/etc/glance/glance-api.conf"])).toMatchObject({ action: "unchanged" });
      expect(await sync({ sqlite_connection: "sqlite:////var/lib/glance/other.sqlite" }, [])).toMatchObject({
        action: "run",
        details: ["the database changed (sqlite:///var/lib/glance/glance.sqlite to sqlite:///var/lib/glance/other.sqlite)"],
      });
      version = "25.2.0-1";
      expect(await sync({ sqlite_connection: "sqlite:////var/lib/glance/other.sqlite" }, [])).toMatchObject({
        action: "run",
        details: ["Glance changed (glance-common 25.1.0-0+deb12u1 to glance-common 25.2.0-1)"],
      });
      expect(await sync({ sqlite_connection: "sqlite:////var/lib/glance/other.sqlite" }, [])).toMatchObject({ action: "unchanged" });
    } finally {
      rmSync(record, { force: true });
    }
  });
});

describe("services on the live system", () => {
  const plan = servicesOnly(planOf(proposalWith({ release: "zed" })));

  it("leaves a running, enabled service alone when nothing it reads changed", async () => {
    const calls: string[][] = [];
    const result = await converge(context(plan, scriptedHost({ enabled: true, active: true }, calls), []), false);
    expect(result.changes.map((c) => c.action)).toEqual(["unchanged"]);
    expect(calls.filter((c) => !c[1]?.startsWith("is-"))).toEqual([]);
  });

  it("restarts it only when its config file or unit changed", async () => {
    const calls: string[][] = [];
    const result = await converge(
      context(plan, scriptedHost({ enabled: true, active: true }, calls), ["file:/etc/glance/glance-api.conf"]),
      false,
    );
    expect(result.changes[0]?.details).toEqual(["restart (/etc/glance/glance-api.conf changed)"]);
    expect(calls.filter((c) => !c[1]?.startsWith("is-"))).toEqual([["systemctl", "restart", "glance-api.service"]]);
  });

  it("reloads units that changed, then enables and starts a stopped service", async () => {
    const calls: string[][] = [];
    await converge(context(plan, scriptedHost({ enabled: false, active: false }, calls), ["file:/etc/systemd/system/glance-api.service"]), false);
    expect(calls.filter((c) => !c[1]?.startsWith("is-"))).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "glance-api.service"],
      ["systemctl", "start", "glance-api.service"],
    ]);
  });

  it("reports a failing restart with the service's own status, secrets masked", async () => {
    const calls: string[][] = [];
    const run = async () =>
      converge(context(plan, scriptedHost({ enabled: true, active: true, failStart: true }, calls), ["file:/etc/glance/glance-api.conf"]), false);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BarclampError);
    expect((error as BarclampError).code).toBe("service-failed");
    expect((error as BarclampError).message).toContain("Active: failed (Result: exit-code)");
    expect((error as BarclampError).message).not.toContain("hunter22");
    expect((error as BarclampError).exitCode).toBe(1);
  });

  it("only reports what it would do when systemd is not running", async () => {
    const calls: string[][] = [];
    const host = { ...scriptedHost({ enabled: false, active: false }, calls), systemdRunning: false };
    const result = await converge(context(plan, host, ["file:/etc/glance/glance-api.conf"]), false);
    expect(result.changes[0]).toMatchObject({ action: "skipped", details: ["systemd is not running: would restart (/etc/glance/glance-api.conf changed)"] });
    expect(calls).toEqual([]);
  });
});

describe("images on the live system", () => {
  const seen: string[] = [];
  let api: Server;
  let www: Server;
  const port = portOf;
  let stored: string | undefined;
  beforeAll(async () => {
    www = await listen((_q, s) => s.writeHead(200).end(Buffer.alloc(500, 2)));
    api = await listen((q, s) => {
      q.resume();
      q.on("end", () => {
        seen.push(`${q.method} ${q.url?.split("?")[0]}`);
        if (q.url === "/versions") return void s.writeHead(200).end("{}");
        if (q.method === "GET") return void s.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ images: stored === undefined ? [] : [{ id: "i1", name: "seeded", status: "active", checksum: stored }] }));
        if (q.method === "POST") return void s.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: "i1", status: "queued" }));
        stored = createHash("md5").update(Buffer.alloc(500, 2)).digest("hex");
        s.writeHead(204).end();
      });
    });
  });
  afterAll(() => {
    api.close();
    www.close();
  });

  const imagesPlan = (): Plan => {
    const plan = planOf(proposalWith({ release: "zed", working_directory: newRoot("gb-glance-images-live-"), api: { bind_port: port(api) }, images: [{ url: `http://127.0.0.1:${port(www)}/x.raw`, name: "seeded" }] }));
    return { ...plan, resources: plan.resources.filter((r) => r.kind === "images") };
  };

  it("are seeded once the API answers, after the services started", async () => {
    const calls: string[][] = [];
    const result = await converge(context(imagesPlan(), scriptedHost({ enabled: true, active: true }, calls), []), false);
    expect(result.changes[0]).toMatchObject({ kind: "images", action: "run" });
    expect(seen).toEqual(expect.arrayContaining(["GET /versions", "GET /v2/images", "POST /v2/images", "PUT /v2/images/i1/file"]));
  });

  it("wait for images sync where systemd does not run the API", async () => {
    const host = { ...scriptedHost({ enabled: true, active: true }, []), systemdRunning: false };
    seen.length = 0;
    const result = await converge(context(imagesPlan(), host, []), false);
    expect(result.changes[0]).toMatchObject({ action: "skipped", details: ["systemd is not running: run glance-barclamp images sync once the API answers"] });
    expect(seen).toEqual([]);
  });
});

describe("units that leave the plan, on the live system", () => {
  it("a release switch stops and disables the registry before its unit goes, then reloads systemd", async () => {
    const { holdLiveRoot } = await import("../helpers/glance-api.js");
    const release = await holdLiveRoot();
    const unit = "/etc/systemd/system/glance-registry.service";
    const state = newRoot("gb-state-");
    try {
      writeFileSync(unit, "[Service]\nExecStart=/usr/bin/glance-registry\n");
      const zed = planOf(proposalWith({ release: "zed" }));
      const registry = zed.resources.filter((r) => r.kind === "absent" && r.path === unit);
      expect(registry).toHaveLength(1);
      const calls: string[][] = [];
      const ctx = context({ ...zed, resources: registry }, scriptedHost({ enabled: true, active: true }, calls), []);
      ctx.state = { dir: state, lock: "", secrets: "", backups: join(state, "backups"), dbSync: "" };
      const order: string[] = [];
      const host = ctx.host;
      ctx.host = { ...host, run: (argv, timeout) => (order.push(`${argv.join(" ")} (unit ${existsSync(unit) ? "present" : "gone"})`), host.run(argv, timeout)) };
      const preview = await converge({ ...ctx, pending: new Set() }, true);
      expect(preview.changes[0]).toMatchObject({ action: "remove", details: ["no registry in this release", "stop and disable glance-registry.service first, then reload systemd"] });
      expect(order).toEqual([]);
      await converge(ctx, false);
      expect(order).toEqual(["systemctl disable --now glance-registry.service (unit present)", "systemctl daemon-reload (unit gone)"]);
      expect(existsSync(unit)).toBe(false);
    } finally {
      rmSync(unit, { force: true });
      release();
    }
  });
});

describe("rollback on the live system", () => {
  it("reloads systemd when a unit came back or went, and restarts the services whose inputs it restored", async () => {
    const { cleanLive, holdLiveRoot } = await import("../helpers/glance-api.js");
    const { Backup, newBackupId } = await import("../../src/engine/backup.js");
    const { statePaths } = await import("../../src/engine/state.js");
    const { rollbackRoot } = await import("../../src/app/rollback-root.js");
    const release = await holdLiveRoot();
    const dir = newRoot("gb-rollback-live-");
    const config = join(dir, "glance-api.conf");
    const unit = "/etc/systemd/system/glance-gbtest.service";
    try {
      cleanLive();
      // An apply that changed glance-api's config and created a unit.
      writeFileSync(config, "old\n");
      const backup = new Backup(newBackupId(), statePaths(openRoot("/"), true), { proposal: "p", node: "n1", services: [{ unit: "glance-api.service", inputs: [config] }, { unit: "glance-other.service", inputs: ["/elsewhere"] }] });
      backup.save(config, config, false);
      backup.save(unit, unit, false);
      backup.finish();
      writeFileSync(config, "new\n");
      writeFileSync(unit, "[Service]\n");
      const calls: string[][] = [];
      const host = scriptedHost({ enabled: true, active: true }, calls);
      const preview = await rollbackRoot("/", { dryRun: true, host });
      expect(preview).toMatchObject({ systemd: ["systemctl daemon-reload", "systemctl try-restart glance-api.service"], systemdSkipped: "dry run" });
      expect(calls).toEqual([]);
      const report = await rollbackRoot("/", { host });
      expect(report).toMatchObject({ restored: [config], removed: [unit], systemdSkipped: undefined });
      expect(calls).toEqual([["systemctl", "daemon-reload"], ["systemctl", "try-restart", "glance-api.service"]]);
      expect(readFileSync(config, "utf8")).toBe("old\n");
      expect(existsSync(unit)).toBe(false);
    } finally {
      rmSync(unit, { force: true });
      cleanLive();
      release();
    }
  });
});

describe("a preview on the live system", () => {
  it("reports an unreachable Keystone as not inspected, where an apply stops before any change", async () => {
    const { freePort } = await import("../helpers/glance-api.js");
    const { inventory } = await import("../helpers/proposals.js");
    const port = await freePort();
    const site = inventory({ nodes: { n1: { admin_address: "127.0.0.1" } }, keystone: { ks: { host: "127.0.0.1", port, service_password: "pw", admin_user: "admin", admin_password: "a" } } });
    const plan = planOf(proposalWith({ release: "zed", use_keystone: true }, { "glance-server": ["n1"] }), { inventory: site, node: "n1" });
    const only = { ...plan, resources: plan.resources.filter((r) => r.kind === "keystone") };
    expect(only.resources).toHaveLength(1);
    const ctx = context(only, scriptedHost({ enabled: true, active: true }, []), []);
    ctx.secrets = new Map([["keystone_service_password", "pw"], ["keystone_admin_password", "a"]]);
    const preview = await converge({ ...ctx, preview: true }, true);
    expect(preview.changes[0]).toMatchObject({ kind: "keystone", action: "skipped", details: [expect.stringMatching(new RegExp(`^not inspected: cannot reach Keystone at http://127\\.0\\.0\\.1:${port}`, "u"))] });
    await expect(converge(ctx, true)).rejects.toMatchObject({ code: "keystone-unreachable" });
  });
});
