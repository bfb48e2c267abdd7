import { describe, expect, it } from "vitest";
import { PHASES } from "../../src/core/plan/types.js";
import { BarclampError } from "../../src/errors.js";
import { fileAt, files, planOf, planShipped, resourceAt } from "../helpers/plan.js";
import { inventory, proposalWith, SWIFT_STORE } from "../helpers/proposals.js";

const threeNodes = inventory({
  nodes: { n1: { admin_address: "10.0.0.1" }, n2: { admin_address: "10.0.0.2" }, n3: { admin_address: "10.0.0.3" } },
  mysql: { db: { host: "10.0.0.9", admin_password: "admin-secret-1" } },
  keystone: { ks: { host: "10.0.0.8", admin_token: "token-secret-2", service_password: "service-secret-3" } },
});
const multi = proposalWith(
  { database: "mysql", ...SWIFT_STORE, swift_store_key: "swift-secret-4", mysql_password: "db-secret-5", use_keystone: true, enable_caching: true, api: { bind_open_address: false }, registry: { bind_open_address: false } },
  { "glance-server": ["n1", "n2", "n3"] },
);

describe("buildPlan", () => {
  it("lists resources in phase order", () => {
    const plan = planOf(proposalWith());
    const order = plan.resources.map((r) => PHASES.indexOf(r.phase));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every phase but Keystone's and the images', which only a proposal with a Keystone instance or images has.
    expect(new Set(plan.resources.map((r) => r.phase))).toEqual(new Set(PHASES.filter((p) => p !== "keystone" && p !== "images")));
    expect(new Set(plan.resources.map((r) => r.id)).size).toBe(plan.resources.length);
  });

  it("is plain data: JSON round-trips it unchanged, and the same input gives the same plan", () => {
    const plan = planOf(proposalWith({ enable_caching: true }));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(planOf(proposalWith({ enable_caching: true }))).toEqual(plan);
  });

  it("binds each node of the three-node proposal to its own admin address", () => {
    for (const node of ["n1", "n2", "n3"]) {
      const plan = planOf(multi, { inventory: threeNodes, node });
      const address = threeNodes.nodes[node]?.admin_address;
      expect(plan.bindAddresses).toEqual({ api: address, registry: address });
      expect(fileAt(plan, "/etc/glance/glance-api.conf").content).toContain(`bind_host = ${address}\n`);
      expect(fileAt(plan, "/etc/glance/glance-registry.conf").content).toContain(`bind_host = ${address}\n`);
      expect(fileAt(plan, "/etc/glance/glance-api.conf").content).toContain(`registry_host = ${address}\n`);
    }
  });

  it("binds to 0.0.0.0 with bind_open_address and finds the registry on this node", () => {
    const plan = planOf(proposalWith());
    expect(plan.bindAddresses).toEqual({ api: "0.0.0.0", registry: "0.0.0.0" });
    expect(fileAt(plan, "/etc/glance/glance-api.conf").content).toContain("registry_host = 127.0.0.1\n");
  });

  it("runs the scrubber and the schema migration on one node only, cache jobs on every node", () => {
    const plans = ["n1", "n2", "n3"].map((node) => planOf(multi, { inventory: threeNodes, node }));
    const scrubberCron = plans.map((p) => resourceAt(p, "/etc/cron.d/glance-scrubber")?.kind);
    expect(scrubberCron).toEqual(["file", "absent", "absent"]);
    expect(plans.map((p) => resourceAt(p, "/etc/cron.d/glance-pruner")?.kind)).toEqual(["file", "file", "file"]);
    expect(plans.map((p) => p.resources.find((r) => r.kind === "db-sync")).map((r) => r?.kind === "db-sync" && r.runsHere)).toEqual([true, false, false]);
    const chosen = planOf({ ...multi, attributes: { glance: { ...(multi.attributes as { glance: object }).glance, scrubber: { node: "n3" } } } }, { inventory: threeNodes, node: "n3" });
    expect(resourceAt(chosen, "/etc/cron.d/glance-scrubber")?.kind).toBe("file");
  });

  it("marks the cache cron entries absent when caching is off, present when on", () => {
    const off = planOf(proposalWith());
    for (const job of ["reaper", "pruner", "prefetcher"]) expect(resourceAt(off, `/etc/cron.d/glance-${job}`)?.kind).toBe("absent");
    expect(resourceAt(off, "/etc/cron.d/glance-scrubber")?.kind).toBe("file");
    const on = planOf(proposalWith({ enable_caching: true }));
    const pruner = fileAt(on, "/etc/cron.d/glance-pruner");
    expect(pruner.content).toContain("\n45 * * * * glance /usr/bin/glance-cache-pruner --config-file /etc/glance/glance-pruner.conf\n");
    expect(on.resources.some((r) => r.kind === "directory" && r.path === "/var/lib/glance/image-cache/incomplete")).toBe(true);
  });

  it("switches periodic jobs between cron, timers and none, marking the other modes' files absent", () => {
    const timers = planOf(proposalWith({ periodic_jobs: "systemd-timer" }));
    expect(resourceAt(timers, "/etc/cron.d/glance-scrubber")?.kind).toBe("absent");
    expect(fileAt(timers, "/etc/systemd/system/glance-scrubber.timer").content).toContain("OnCalendar=*-*-* *:1:00\n");
    expect(timers.resources.some((r) => r.kind === "service" && r.unit === "glance-scrubber.timer")).toBe(true);
    const none = planOf(proposalWith({ periodic_jobs: "none" }));
    expect(none.resources.filter((r) => r.phase === "periodic").every((r) => r.kind === "absent")).toBe(true);
  });

  it("puts secrets in slots, never in the plan, and makes their files 0640 root:glance", () => {
    const plan = planOf(multi, { inventory: threeNodes, node: "n1" });
    const json = JSON.stringify(plan);
    for (const secret of ["admin-secret-1", "token-secret-2", "service-secret-3", "swift-secret-4", "db-secret-5"]) {
      expect(json.includes(secret), secret).toBe(false);
    }
    expect(plan.secrets.map((s) => s.name).sort()).toEqual(["keystone_admin_token", "mysql_admin_password", "mysql_password", "swift_store_key"]);
    for (const file of files(plan)) {
      if (file.secrets.length > 0) expect([file.path, file.mode, file.owner, file.group]).toEqual([file.path, "0640", "root", "glance"]);
      else expect([file.path, file.mode]).toEqual([file.path, "0644"]);
    }
    expect(fileAt(plan, "/etc/glance/glance-registry.conf").secrets).toEqual(["mysql_password", "keystone_admin_token"]);
  });

  it("restarts a long-lived service when its config file or unit changes", () => {
    const plan = planOf(proposalWith());
    const api = plan.resources.find((r) => r.kind === "service" && r.unit === "glance-api.service");
    expect(api?.kind === "service" && api.restartOn).toEqual(["file:/etc/systemd/system/glance-api.service", "file:/etc/glance/glance-api.conf"]);
    const services = plan.resources.filter((r) => r.kind === "service").map((r) => r.kind === "service" && r.unit);
    expect(services).toEqual(["glance-registry.service", "glance-api.service"]);
  });

  it("has no registry on zed and removes a registry unit left from diablo", () => {
    const plan = planOf(proposalWith({ release: "zed" }));
    expect(plan.bindAddresses.registry).toBeUndefined();
    expect(files(plan).some((f) => f.path.includes("registry"))).toBe(false);
    expect(resourceAt(plan, "/etc/systemd/system/glance-registry.service")?.kind).toBe("absent");
    expect(plan.resources.filter((r) => r.kind === "service").map((r) => r.kind === "service" && r.unit)).toEqual(["glance-api.service"]);
  });

  it.each([
    ["node-not-element", () => planOf(proposalWith({}, { "glance-server": ["n1"] }), { node: "n9" })],
    ["no-admin-address", () => planOf(proposalWith({ api: { bind_open_address: false } }))],
    ["inventory-required", () => planOf(proposalWith({ database: "mysql", mysql_instance: "db" }))],
  ])("stops with a clear %s error", (code, build) => {
    expect(build).toThrow(BarclampError);
    try {
      build();
    } catch (error) {
      expect((error as BarclampError).code).toBe(code);
      expect((error as BarclampError).hint).toBeDefined();
    }
  });

  it("plans every shipped proposal on both releases", () => {
    for (const release of ["diablo", "zed"] as const) {
      expect(planShipped("three-node.json", "three-node.inventory.json", release, "node2").bindAddresses.api).toBe("192.168.124.82");
    }
  });
});
