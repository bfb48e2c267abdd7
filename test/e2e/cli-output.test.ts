/**
 * What apply writes where, as an operator sees it: on a pipe no colour, no progress and no JSON
 * logs; on a terminal (a real pty, through util-linux's script) colour and progress lines, unless
 * NO_COLOR; FORCE_COLOR colours a pipe; JSON lines only with --log-format json or --log-file;
 * -q leaves only errors, -v adds every action.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { CLI, REPO } from "../helpers/paths.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const ESC = "\u001b[";
const work = newRoot("gb-output-");
const proposal = writeJson(join(work, "p.json"), proposalWith({ release: "zed" }));
// On zed the registry block is spelled out for nothing: a warning.
const warned = writeJson(join(work, "warned.json"), proposalWith({ release: "zed", registry: { bind_port: 9191 } }));

/** The command under a pseudo-terminal: stdout and stderr both reach it, as on an operator's screen. */
const onTerminal = (args: string[], env: NodeJS.ProcessEnv = {}): string => {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const result = spawnSync("script", ["-qfec", command, "/dev/null"], { cwd: REPO, encoding: "utf8", env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...env } });
  expect(result.status, result.stdout).toBe(0);
  return result.stdout;
};
const plainEnv = { ...process.env, NO_COLOR: "", FORCE_COLOR: "" };

describe("apply's output", () => {
  it("on a pipe: the report on stdout, nothing on stderr, no colour", () => {
    const result = runCli(["apply", proposal, "--root", newRoot(), "--node", "n1"], { env: plainEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n\d+ created, 0 changed, 0 removed, 0 run, \d+ unchanged, \d+ skipped\n/u);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain(ESC);
  });

  it("on a terminal: the recap coloured, and a progress line for the slow steps; NO_COLOR turns colour off", () => {
    const shown = onTerminal(["apply", proposal, "--root", newRoot(), "--node", "n1"]);
    expect(shown).toMatch(/\u001b\[33m\d+ created, 0 changed/u);
    expect(shown).toContain("... create database /var/lib/glance/glance.sqlite");
    const again = onTerminal(["apply", proposal, "--root", newRoot(), "--node", "n1"], { NO_COLOR: "1" });
    expect(again).not.toContain(ESC);
    expect(again).toContain("... create database");
  });

  it("FORCE_COLOR colours a pipe; the recap is green when nothing changed", () => {
    const root = newRoot();
    expect(runCli(["apply", proposal, "--root", root, "--node", "n1"], { env: plainEnv }).code).toBe(0);
    const result = runCli(["apply", proposal, "--root", root, "--node", "n1"], { env: { ...plainEnv, FORCE_COLOR: "1" } });
    expect(result.stdout).toMatch(/\u001b\[32m0 created, 0 changed, 0 removed, 0 run, \d+ unchanged/u);
    expect(result.stderr).not.toContain("...");
  });

  it("writes JSON log lines only with --log-format json or --log-file", () => {
    const json = runCli(["--log-format", "json", "apply", proposal, "--root", newRoot(), "--node", "n1"], { env: plainEnv });
    const lines = json.stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect((JSON.parse(line) as { level: number }).level).toBeGreaterThanOrEqual(30);
    const logFile = join(work, "apply.log");
    const filed = runCli(["apply", proposal, "--root", newRoot(), "--node", "n1", "--log-file", logFile], { env: plainEnv });
    expect(filed.stderr).toBe("");
    expect(readFileSync(logFile, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain("create /etc/glance/glance-api.conf");
  });

  it("-q leaves only errors on stderr; -v adds every action as a short line", () => {
    const normal = runCli(["apply", warned, "--root", newRoot(), "--node", "n1"], { env: plainEnv });
    expect(normal.stderr).toContain("warning");
    const quiet = runCli(["-q", "apply", warned, "--root", newRoot(), "--node", "n1"], { env: plainEnv });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    const failing = runCli(["-q", "apply", join(work, "missing.json"), "--root", newRoot()], { env: plainEnv });
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain("error[");
    const verbose = runCli(["-v", "apply", proposal, "--root", newRoot(), "--node", "n1"], { env: plainEnv });
    expect(verbose.stderr).toContain("create /etc/glance/glance-api.conf\n");
    expect(verbose.stderr).not.toContain('{"level"');
  });
});
