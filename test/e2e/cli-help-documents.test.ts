/**
 * Completion scripts and the man page, made from the command definitions: bash completes commands,
 * subcommands, options and their choices when it runs the script; zsh loads it (zsh -n, compdef);
 * groff reads the man page without a warning, and it names every command --help lists.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { newRoot } from "../helpers/roots.js";

const work = newRoot("gb-help-docs-");

const bashCompletes = (script: string, line: string[]): string[] => {
  const file = join(work, "completion.bash");
  writeFileSync(file, script);
  const words = line.map((w) => `'${w}'`).join(" ");
  const result = spawnSync("bash", ["-c", `source ${file}; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _glance_barclamp; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter((l) => l !== "");
};

describe("completion and man page", () => {
  it("bash: commands, subcommands, options and choices", () => {
    const printed = runCli(["completion", "bash"]);
    expect(printed.code).toBe(0);
    const script = printed.stdout;
    expect(bashCompletes(script, ["glance-barclamp", "ap"]).sort()).toEqual(["apply"]);
    expect(bashCompletes(script, ["glance-barclamp", "a"]).sort()).toEqual(["ansible-inventory", "apply"]);
    expect(bashCompletes(script, ["glance-barclamp", "db", "s"]).sort()).toEqual(["status", "sync"]);
    expect(bashCompletes(script, ["glance-barclamp", "apply", "p.json", "--d"])).toEqual(["--dry-run"]);
    expect(bashCompletes(script, ["glance-barclamp", "validate", "--format", ""]).sort()).toEqual(["github", "json", "junit", "sarif", "text"]);
    expect(bashCompletes(script, ["glance-barclamp", "-q", "proposal", "new", "--release", ""]).sort()).toEqual(["diablo", "zed"]);
    // Global options after the command too.
    expect(bashCompletes(script, ["glance-barclamp", "apply", "--log-f"])).toEqual(["--log-file", "--log-format"]);
  });

  it("zsh: the script parses and registers its completion function", () => {
    const printed = runCli(["completion", "zsh"]);
    const file = join(work, "_glance-barclamp");
    writeFileSync(file, printed.stdout);
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
    const loaded = spawnSync("zsh", ["-fc", `autoload -U compinit && compinit -u -D && source ${file} && print -r -- $_comps[glance-barclamp]`], { encoding: "utf8" });
    expect(loaded.stdout.trim(), loaded.stderr).toBe("_glance_barclamp");
    expect(printed.stdout).toContain("'--dry-run[report what would change and change nothing]'");
  });

  it("man: groff reads it without a warning, and it lists every command of --help", () => {
    const page = runCli(["man"]);
    expect(page.code).toBe(0);
    const file = join(work, "glance-barclamp.1");
    writeFileSync(file, page.stdout);
    const checked = spawnSync("groff", ["-man", "-ww", "-z", file], { encoding: "utf8" });
    expect(checked.stderr).toBe("");
    const rendered = spawnSync("man", ["-l", file], { encoding: "utf8", env: { ...process.env, MANWIDTH: "200" } }).stdout;
    const help = runCli(["--help"]).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z][a-z-]*)/gmu)].map((m) => m[1] ?? "").filter((c) => c !== "help");
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) expect(rendered, command).toContain(`glance-barclamp ${command}`);
    expect(rendered).toContain("EXIT STATUS");
    expect(rendered).toMatch(/\n\s+6\s+a secret cannot be resolved/u);
  });
});
