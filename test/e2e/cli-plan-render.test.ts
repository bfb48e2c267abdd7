import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { PROPOSALS } from "../helpers/paths.js";
import { newRoot } from "../helpers/roots.js";

const THREE = ["proposals/three-node.json", "-i", "proposals/three-node.inventory.json"];

describe("glance-barclamp plan", () => {
  it("shows each node of the three-node proposal its own bind address and what runs where", () => {
    for (const [node, address] of [
      ["node1", "192.168.124.81"],
      ["node2", "192.168.124.82"],
      ["node3", "192.168.124.83"],
    ]) {
      const result = runCli(["plan", ...THREE, "--node", node as string]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`API binds ${address}, registry binds ${address}`);
      expect(result.stdout).toContain(node === "node1" ? "scrubber   runs here" : "scrubber   does not run here: the scrubber runs on node1 only");
    }
  });

  it("prints the plan as JSON with secrets masked", () => {
    const result = runCli(["plan", ...THREE, "--node", "node1", "--json"], {
      env: { ...process.env, GLANCE_SWIFT_KEY: "swift-key-value-9" },
    });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { node: string; resources: Array<{ kind: string; content?: string }> };
    expect(plan.node).toBe("node1");
    expect(result.stdout).not.toContain("swift-key-value-9");
    expect(result.stdout).toContain("swift_store_key = ********");
  });

  it("refuses a node that is not an element, with exit 3 and a hint", () => {
    const result = runCli(["plan", ...THREE, "--node", "node9"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error[node-not-element]: node "node9" is not a glance-server element of bc-glance-three-node');
    expect(result.stderr).toContain("hint: pass --node with one of: node1, node2, node3");
  });

  it("names the position of the field a planning error is about", () => {
    const result = runCli(["plan", ...THREE, "--node", "node9"]);
    const text = readFileSync(join(PROPOSALS, "three-node.json"), "utf8");
    const line = text.split("\n").findIndex((l) => l.includes('"glance-server"')) + 1;
    expect(line).toBeGreaterThan(0);
    expect(result.stderr).toMatch(new RegExp(`three-node\\.json:${line}:\\d+ deployment\\.glance\\.elements\\["glance-server"\\]\\)`, "u"));
  });

  it("refuses an invalid proposal with every issue, exit 3", () => {
    const result = runCli(["plan", "-", "--node", "n1"], { input: '{"id": "bc-glance-x", "attributes": {"glance": {"api": {"bind_port": 0}}}}' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("<stdin>:1:70: error attributes.glance.api.bind_port: must be a TCP port (1-65535)");
  });
});

describe("glance-barclamp render", () => {
  it("stays inside the output directory despite a symlink planted there", () => {
    const out = newRoot("gb-render-");
    const outside = newRoot("gb-outside-");
    mkdirSync(join(out, "etc"), { recursive: true });
    symlinkSync(outside, join(out, "etc/glance"));
    expect(runCli(["render", "proposals/zed-sqlite.json", "--node", "n1", "--out", out]).code).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    expect(readFileSync(join(out, outside, "glance-api.conf"), "utf8")).toContain("[DEFAULT]");
  });

  it("writes the plan's files under the output directory, deterministically", () => {
    const outputs = [1, 2].map(() => {
      const out = newRoot("gb-render-");
      const result = runCli(["render", ...THREE, "--node", "node2", "--out", out]);
      expect(result.code).toBe(0);
      return out;
    });
    for (const path of ["etc/glance/glance-api.conf", "etc/systemd/system/glance-registry.service", "etc/cron.d/glance-pruner"]) {
      const [a, b] = outputs.map((out) => readFileSync(join(out, path), "utf8"));
      expect(a).toBe(b);
    }
    const out = outputs[0] as string;
    expect(readFileSync(join(out, "etc/glance/glance-api.conf"), "utf8")).toContain("bind_host = 192.168.124.82\n");
    expect(statSync(join(out, "etc/glance/glance-registry.conf")).mode & 0o777).toBe(0o640);
    expect(statSync(join(out, "etc/cron.d/glance-pruner")).mode & 0o777).toBe(0o644);
  });
});

describe("glance-barclamp ansible-inventory", () => {
  it("prints the glance-server nodes in the proposal's order with their admin addresses", () => {
    const result = runCli(["ansible-inventory", ...THREE]);
    expect(result.code, result.stderr).toBe(0);
    const hosts = (JSON.parse(result.stdout) as { all: { children: { glance_server: { hosts: Record<string, { ansible_host: string; glance_barclamp_node: string }> } } } }).all.children.glance_server.hosts;
    expect(Object.entries(hosts)).toEqual([
      ["node1", { ansible_host: "192.168.124.81", glance_barclamp_node: "node1" }],
      ["node2", { ansible_host: "192.168.124.82", glance_barclamp_node: "node2" }],
      ["node3", { ansible_host: "192.168.124.83", glance_barclamp_node: "node3" }],
    ]);
  });

  it("refuses a proposal without glance-server nodes, and one whose nodes the inventory lacks", () => {
    const none = runCli(["ansible-inventory", "proposals/zed-sqlite.json", "-i", "proposals/three-node.inventory.json"]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("error[no-glance-server]: the proposal assigns no node to the glance-server role");
    expect(none.stdout).toBe("");
    const missing = runCli(["ansible-inventory", "proposals/three-node.json", "-i", "proposals/mysql-swift.inventory.json"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("is not in the inventory");
    expect(runCli(["ansible-inventory", "proposals/three-node.json"]).code).toBe(2);
  });
});

describe("glance-barclamp render --json", () => {
  it("lists the files it wrote, in the report shape every --json shares", () => {
    const out = newRoot("gb-render-json-");
    const result = runCli(["render", "proposals/zed-sqlite.json", "--node", "n1", "--out", out, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { report_version: number; out: string; files: string[] };
    expect(report.report_version).toBe(1);
    expect(report.files).toContain("/etc/glance/glance-api.conf");
    for (const file of report.files) expect(statSync(join(out, file)).isFile(), file).toBe(true);
  });
});
