/** User mistakes end with their documented exit code and a clear message, never an internal error. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { newRoot } from "../helpers/roots.js";

describe("mistakes", () => {
  it("help and help COMMAND print help and exit 0", () => {
    for (const args of [["help"], ["help", "apply"], ["apply", "--help"]]) {
      const result = runCli(args);
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stdout).toContain("Usage: glance-barclamp");
    }
  });

  it("proposal new --id with a name no proposal can have: exit 2, no raw schema output", () => {
    const result = runCli(["proposal", "new", "--id", "bad id!"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[bad-id]: --id "bad id!" is not a proposal name');
    expect(result.stderr).not.toContain("internal error");
  });

  it("render --out a file or a kernel tree: exit 2 at once, nothing written", () => {
    const file = join(newRoot("gb-render-file-"), "a-file");
    writeFileSync(file, "keep\n");
    const onFile = runCli(["render", "proposals/zed-sqlite.json", "--node", "n1", "--out", file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain(`--out ${file} is not a directory`);
    const onProc = runCli(["render", "proposals/zed-sqlite.json", "--node", "n1", "--out", "/proc/x"], { timeout: 10_000 });
    expect(onProc.code).toBe(2);
    expect(onProc.stderr).toContain("--out /proc/x is inside /proc");
  });

  it("under --json an error is JSON on stdout too, with its code, message, hint and the issues", () => {
    const missing = runCli(["apply", "/nonexistent.json", "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({ report_version: 1, error: { code: "unreadable-input", message: "cannot read /nonexistent.json: ENOENT", hint: "check the path" } });
    const invalid = runCli(["plan", "-", "--json"], { input: '{"id": "bc-glance-x", "attributes": {"glance": {"api": {"bind_prot": 1}}}}' });
    expect(invalid.code).toBe(3);
    const report = JSON.parse(invalid.stdout) as { error: { code: string; issues: Array<{ code: string; path: string }> } };
    expect(report.error.code).toBe("invalid-proposal");
    expect(report.error.issues.map((i) => [i.code, i.path])).toEqual([["unknown-key", "attributes.glance.api.bind_prot"]]);
  });
});

describe("--json on every command", () => {
  // Each command, with input that makes it fail: the error is the shared JSON shape on stdout.
  const failing: string[][] = [
    ["validate", "--bogus", "missing.json"],
    ["proposal", "migrate", "missing.json"],
    ["proposal", "new", "--id", "bad id!"],
    ["schema", "--bogus"],
    ["plan", "missing.json"],
    ["render", "missing.json", "--out", "/proc/x"],
    ["apply", "missing.json"],
    ["diff", "missing.json"],
    ["rollback", "--root", "/nonexistent-gb-root"],
    ["verify", "missing.json"],
    ["schedule", "missing.json"],
    ["ansible-inventory", "missing.json", "-i", "missing.inventory.json"],
    ["completion", "fish"],
    ["man", "--bogus"],
    ["images", "sync", "missing.json"],
    ["db", "provision", "missing.json"],
    ["db", "sync", "missing.json"],
    ["db", "status", "missing.json"],
    ["index", "missing.json"],
  ];
  it("makes every command's error the shared JSON shape on stdout", () => {
    for (const args of failing) {
      const result = runCli([...args, "--json"]);
      expect(result.code, args.join(" ")).not.toBe(0);
      const report = JSON.parse(result.stdout) as { report_version: number; error: { code: string; message: string } };
      expect(report.report_version, args.join(" ")).toBe(1);
      expect(report.error.code, args.join(" ")).toMatch(/^[a-z-]+$/u);
    }
  });

  it("wraps the documents the others print in the same shape", () => {
    for (const [args, key] of [
      [["proposal", "new"], "proposal"],
      [["schema"], "schema"],
      [["completion", "bash"], "script"],
      [["man"], "page"],
      [["ansible-inventory", "proposals/three-node.json", "-i", "proposals/three-node.inventory.json"], "inventory"],
    ] as const) {
      const result = runCli([...args, "--json"]);
      expect(result.code, args.join(" ")).toBe(0);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(report.report_version).toBe(1);
      expect(report[key], args.join(" ")).toBeDefined();
    }
  });
});
