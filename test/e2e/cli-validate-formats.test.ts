/**
 * `validate` for CI pipelines: every report format read back by the reader it is meant for (the
 * official SARIF Multitool's validator, Python's junitparser, GitHub's workflow-command syntax),
 * --max-warnings and --strict, directories and glob patterns with files that are not proposals,
 * and each proposal checked with its sibling inventory.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { PROPOSALS } from "../helpers/paths.js";
import { newRoot } from "../helpers/roots.js";

/** A folder as a CI job sees a repository of proposals: valid ones, an invalid one, a warning, schemas, inventories. */
const repository = (): string => {
  const dir = newRoot("gb-ci-");
  cpSync(PROPOSALS, join(dir, "proposals"), { recursive: true });
  mkdirSync(join(dir, "proposals/more, odd: names"));
  writeFileSync(
    join(dir, "proposals/more, odd: names/bad.json"),
    '{\n  "id": "bc-glance-bad",\n  "attributes": {\n    "glance": {\n      "api": { "bind_prot": 1 },\n      "default_store": "nfs"\n    }\n  }\n}\n',
  );
  writeFileSync(join(dir, "proposals/warned.json"), JSON.stringify({ id: "bc-glance-warned", attributes: { glance: { release: "zed", database: "sqlite", use_keystone: false, registry: {} } } }, null, 2));
  return dir;
};

const validate = (cwd: string, ...args: string[]) => runCli(["validate", ...args], { cwd });
const CLI_ARGS = ["proposals"];

describe("validate on a repository of proposals", () => {
  it("checks every proposal under a directory, skips schemas and inventories with a note, and uses each sibling inventory", () => {
    const dir = repository();
    const result = runCli(["validate", join(dir, "proposals"), "--json"]);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as { report_version: number; valid: boolean; files: Array<{ file: string; valid: boolean; inventory?: string }>; skipped: Array<{ file: string; kind: string }>; errors: number; warnings: number };
    expect(report.report_version).toBe(1);
    expect(report.skipped.map((s) => [s.file.split("/").pop(), s.kind])).toEqual([
      ["inventory.schema.json", "a JSON Schema"],
      ["mysql-swift.inventory.json", "an inventory"],
      ["proposal.schema.json", "a JSON Schema"],
      ["three-node.inventory.json", "an inventory"],
    ]);
    expect(report.files.filter((f) => !f.valid).map((f) => f.file.split("/").pop())).toEqual(["bad.json"]);
    expect(report.files.find((f) => f.file.endsWith("/mysql-swift.json"))?.inventory).toBe(join(dir, "proposals/mysql-swift.inventory.json"));
    expect(report).toMatchObject({ errors: 2, warnings: 1 });
  });

  it("takes glob patterns, and a pattern that matches nothing is an error (exit 2)", () => {
    const dir = repository();
    const globbed = validate(dir, "proposals/*.json");
    expect(globbed.code).toBe(0);
    expect(globbed.stdout).toContain("skipped: proposals/proposal.schema.json (a JSON Schema, not a proposal)");
    expect(globbed.stdout).toContain("5 proposals checked: 5 valid, 0 invalid");
    const recursive = validate(dir, "proposals/**/*.json");
    expect(recursive.code).toBe(3);
    const none = validate(dir, "nowhere/*.json");
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("cannot read nowhere/*.json");
  });

  it("--max-warnings N fails above N, --strict on any warning", () => {
    const dir = repository();
    const file = join(dir, "proposals/warned.json");
    expect(runCli(["validate", file]).code).toBe(0);
    expect(runCli(["validate", file, "--max-warnings", "1"]).code).toBe(0);
    const over = runCli(["validate", file, "--max-warnings", "0"]);
    expect(over.code).toBe(3);
    expect(over.stdout).toContain("too many warnings: 1, at most 0 allowed");
    expect(runCli(["validate", file, "--strict"]).code).toBe(3);
    expect(runCli(["validate", file, "--max-warnings", "-1"]).code).toBe(2);
  });
});

describe("report formats, read back by their readers", () => {
  it("github: workflow commands with GitHub's escaping, one per problem, on the file's line and column", () => {
    const dir = repository();
    const result = validate(dir, ...CLI_ARGS, "--format", "github");
    expect(result.code).toBe(3);
    const lines = result.stdout.trim().split("\n");
    // A file name with ',' and ':' is escaped as a property: %2C and %3A.
    expect(lines).toContain("::error file=proposals/more%2C odd%3A names/bad.json,line=5,col=16,title=glance-barclamp unknown-key::attributes.glance.api.bind_prot: unknown key \"bind_prot\"%0Ahint: did you mean \"bind_port\"?");
    expect(lines.some((l) => /^::error file=proposals\/more%2C odd%3A names\/bad\.json,line=6,col=24,title=glance-barclamp not-allowed::attributes\.glance\.default_store: must be one of /u.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("::warning file=proposals/warned.json,line=") && l.includes("title=glance-barclamp registry-ignored::"))).toBe(true);
    expect(lines).toContain("::notice file=proposals/proposal.schema.json::skipped: a JSON Schema, not a proposal");
    // Every annotation is one line of GitHub's grammar: ::command key=value,...::message, with no raw % , : in values.
    for (const line of lines.filter((l) => l.startsWith("::"))) expect(line).toMatch(/^::(error|warning|notice)( (file|line|col|title)=[^,:\r\n]*(,(file|line|col|title)=[^,:\r\n]*)*)?::[^\r\n]*$/u);
  });

  it("junit: Python's junitparser reads one test case per proposal, failures with their messages, skips", () => {
    const dir = repository();
    const result = validate(dir, ...CLI_ARGS, "--format", "junit");
    expect(result.code).toBe(3);
    const script = `
import json, sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromstring(sys.stdin.buffer.read())
cases = []
for suite in xml:
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        cases.append({"name": case.name, "results": kinds, "message": case.result[0].message if case.result else None, "text": case.result[0].text if case.result else None})
print(json.dumps({"tests": xml.tests, "failures": xml.failures, "skipped": xml.skipped, "cases": cases}))
`;
    const parsed = spawnSync("/usr/bin/python3", ["-c", script], { input: result.stdout, encoding: "utf8" });
    expect(parsed.status, parsed.stderr).toBe(0);
    const junit = JSON.parse(parsed.stdout) as { tests: number; failures: number; skipped: number; cases: Array<{ name: string; results: string[]; message: string | null; text: string | null }> };
    expect(junit).toMatchObject({ tests: 10, failures: 1, skipped: 4 });
    const bad = junit.cases.find((c) => c.name.endsWith("bad.json"));
    expect(bad).toMatchObject({ results: ["Failure"], message: "2 errors" });
    expect(bad?.text).toContain('5:16: error attributes.glance.api.bind_prot: unknown key "bind_prot" [unknown-key]');
    expect(junit.cases.find((c) => c.name.endsWith("proposal.schema.json"))?.results).toEqual(["Skipped"]);
    expect(junit.cases.find((c) => c.name.endsWith("zed-sqlite.json"))?.results).toEqual([]);
  });

  it("sarif: the official SARIF Multitool validates the log; results carry rule, level and region", () => {
    const dir = repository();
    const result = validate(dir, ...CLI_ARGS, "--format", "sarif");
    expect(result.code).toBe(3);
    const file = join(dir, "report.sarif");
    writeFileSync(file, result.stdout);
    const multitool = createRequire(import.meta.url).resolve("@microsoft/sarif-multitool-linux/bin.js");
    const output = join(dir, "validation.sarif");
    const checked = spawnSync(process.execPath, [multitool, "validate", file, "--output", output], { encoding: "utf8", env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" } });
    expect(checked.status, `${checked.stdout}${checked.stderr}`).toBe(0);
    // The validator's own findings: no error about our log's schema conformance.
    const findings = (JSON.parse(spawnSync("cat", [output], { encoding: "utf8" }).stdout) as { runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string } }> }> }).runs[0]?.results ?? [];
    expect(findings.filter((f) => f.level === "error")).toEqual([]);
    const log = JSON.parse(result.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number } } }> }> }> };
    expect(log.version).toBe("2.1.0");
    const unknown = log.runs[0]?.results.find((r) => r.ruleId === "unknown-key");
    expect(unknown).toMatchObject({ level: "error", locations: [{ physicalLocation: { region: { startLine: 5, startColumn: 16 } } }] });
    expect(unknown?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("proposals/more,%20odd:%20names/bad.json");
  });

  it("the SARIF check can fail: the validator refuses a log that breaks the schema", () => {
    const dir = newRoot("gb-sarif-bad-");
    const file = join(dir, "bad.sarif");
    writeFileSync(file, JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: {} }, results: [{ level: "fatal" }] }] }));
    const multitool = createRequire(import.meta.url).resolve("@microsoft/sarif-multitool-linux/bin.js");
    const output = join(dir, "validation.sarif");
    spawnSync(process.execPath, [multitool, "validate", file, "--output", output], { encoding: "utf8", env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" } });
    const findings = (JSON.parse(spawnSync("cat", [output], { encoding: "utf8" }).stdout) as { runs: Array<{ results?: Array<{ level?: string }> }> }).runs[0]?.results ?? [];
    expect(findings.some((f) => f.level === "error")).toBe(true);
  });
});
