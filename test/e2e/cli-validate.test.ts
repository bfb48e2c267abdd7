import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { REFERENCE_FIXTURES } from "../helpers/paths.js";
import { newRoot } from "../helpers/roots.js";

const TEMPLATE = join(REFERENCE_FIXTURES, "bc-template-glance.json");

describe("glance-barclamp validate", () => {
  it("accepts the 2011 Crowbar template unchanged (exit 0)", () => {
    const result = runCli(["validate", TEMPLATE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("valid: ");
  });

  it("reports every problem with file:line:column, path and hint, and exits 3", () => {
    const dir = newRoot("gb-validate-");
    const file = join(dir, "bad.json");
    writeFileSync(file, '{\n  "id": "bc-glance-x",\n  "attributes": {\n    "glance": {\n      "api": { "bind_prot": 1 },\n      "default_store": "nfs"\n    }\n  }\n}\n');
    const result = runCli(["validate", file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`${file}:5:16: error attributes.glance.api.bind_prot: unknown key "bind_prot" [unknown-key]`);
    expect(result.stdout).toContain('hint: did you mean "bind_port"?');
    expect(result.stdout).toContain(`${file}:6:24: error attributes.glance.default_store`);
    expect(result.stdout).toContain(`INVALID: ${file} (2 errors)`);
  });

  it("prints a machine-readable report with --json", () => {
    const result = runCli(["validate", "--json", "-"], { input: '{"id": "bc-glance-x", "attributes": {"glance": {"release": "zed", "registry": {}}}}' });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { valid: boolean; files: Array<{ file: string; issues: Array<{ code: string; line: number }> }> };
    expect(report.valid).toBe(true);
    expect(report.files[0]?.file).toBe("<stdin>");
    expect(report.files[0]?.issues.map((i) => i.code)).toEqual(["registry-ignored"]);
  });

  it("validates 1,000 proposals in one call and counts them", () => {
    const dir = newRoot("gb-batch-");
    const files: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const file = join(dir, `p${i}.json`);
      const port = i === 500 ? '"x"' : String(9000 + (i % 100));
      writeFileSync(file, `{"id": "bc-glance-p${i}", "attributes": {"glance": {"api": {"bind_port": ${port}}}}}`);
      files.push(file);
    }
    const result = runCli(["validate", ...files]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("1000 proposals checked: 999 valid, 1 invalid");
    expect(result.stdout).toContain(`${join(dir, "p500.json")}:1:73: error attributes.glance.api.bind_port: must be a number`);
  });

  it("validates against an inventory and rejects an invalid inventory with exit 3", () => {
    const ok = runCli(["validate", "-i", "proposals/three-node.inventory.json", "proposals/three-node.json"]);
    expect(ok.code).toBe(0);
    const dir = newRoot("gb-inv-");
    writeFileSync(join(dir, "inv.json"), '{"nodes": {"n1": {"admin_address": "nope"}}}');
    const bad = runCli(["validate", "-i", join(dir, "inv.json"), "proposals/three-node.json"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("inv.json:1:36: error nodes.n1.admin_address: must be an IPv4 or IPv6 address");
    expect(bad.stdout).toBe("");
  });

  it("exits 2 for a usage error or an unreadable file", () => {
    expect(runCli(["validate"]).code).toBe(2);
    expect(runCli(["frobnicate"]).code).toBe(2);
    const missing = runCli(["validate", "/nonexistent/p.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("cannot read /nonexistent/p.json: ENOENT");
  });
});

describe("glance-barclamp proposal new and schema", () => {
  it("prints a proposal that validate accepts", () => {
    const created = runCli(["proposal", "new", "--release", "zed", "--id", "lab"]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: "bc-glance-lab", attributes: { glance: { release: "zed" } } });
    const checked = runCli(["validate", "-"], { input: created.stdout });
    expect(checked.code).toBe(0);
    expect(checked.stdout.trim()).toBe("valid: <stdin>");
  });

  it("prints the JSON Schema shipped in proposals/", () => {
    const result = runCli(["schema"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync("proposals/proposal.schema.json", "utf8")));
  });
});
