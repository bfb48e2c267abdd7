/**
 * Rendered files checked by the real tools: systemd-analyze verify on every unit and timer (which
 * only fails for a missing binary and otherwise warns, so its output must be empty),
 * systemd-analyze calendar on every converted schedule, and the Glance 2011.3 checker (with the real
 * paste.deploy) on every diablo config.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cronToOnCalendar } from "../../src/core/cron/on-calendar.js";
import { files, filled, masked, planOf, planShipped } from "../helpers/plan.js";
import { REFERENCE, SHARED, SHARED_SKIP_REASON, sharedAvailable } from "../helpers/paths.js";
import { proposalWith, SHIPPED } from "../helpers/proposals.js";
import { newRoot } from "../helpers/roots.js";

const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8" });

/** A root holding the host's systemd units, stub executables for the plan's binaries, and the units to check. */
const verifyRoot = (unitFiles: Array<{ path: string; content: string }>): string => {
  const root = newRoot("gb-verify-");
  cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
  for (const unit of unitFiles) {
    mkdirSync(dirname(join(root, unit.path)), { recursive: true });
    writeFileSync(join(root, unit.path), unit.content);
    for (const match of unit.content.matchAll(/^ExecStart=(\S+)/gmu)) {
      const binary = join(root, match[1] as string);
      mkdirSync(dirname(binary), { recursive: true });
      writeFileSync(binary, "#!/bin/sh\n");
      chmodSync(binary, 0o755);
    }
  }
  return root;
};

describe("systemd-analyze verify", () => {
  const cases = [
    ...SHIPPED.flatMap(({ proposal, inventory }) => (["diablo", "zed"] as const).map((release) => ({ name: `${proposal} on ${release}`, plan: planShipped(proposal, inventory, release) }))),
    { name: "timers", plan: planOf(proposalWith({ periodic_jobs: "systemd-timer", enable_caching: true })) },
    { name: "timers on zed", plan: planOf(proposalWith({ release: "zed", periodic_jobs: "systemd-timer", enable_caching: true })) },
  ];
  it.each(cases)("accepts every unit of $name without a warning", ({ plan }) => {
    const units = files(plan).filter((f) => f.role === "unit" || f.role === "timer");
    expect(units.length).toBeGreaterThan(0);
    const root = verifyRoot(units.map((u) => ({ path: u.path, content: masked(u) })));
    const result = run("systemd-analyze", ["verify", "--man=no", `--root=${root}`, ...units.map((u) => join(root, u.path))]);
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  it("rejects a unit whose binary is missing (the check can fail)", () => {
    const plan = planOf(proposalWith());
    const unit = files(plan).find((f) => f.role === "unit");
    if (unit === undefined) throw new Error("no unit");
    const root = verifyRoot([]);
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    writeFileSync(join(root, unit.path), unit.content);
    const result = run("systemd-analyze", ["verify", "--man=no", `--root=${root}`, join(root, unit.path)]);
    expect(result.status).not.toBe(0);
  });
});

describe("systemd-analyze calendar", () => {
  it.each(["1 * * * *", "*/15 2 * * *", "0 3 * * mon-fri", "0 0 1 jan,jul *", "0 12 13 * 5", "30 1-3/2 * * *"])(
    "accepts the timer form of %s",
    (cron) => {
      for (const expression of cronToOnCalendar(cron)) {
        const result = run("systemd-analyze", ["calendar", expression]);
        expect(result.status, `${expression}: ${result.stderr}`).toBe(0);
      }
    },
  );
});

// The checker is a program of the reference material, not a fact a fixture can carry.
const checker = sharedAvailable();
if (!checker) console.warn(`Glance 2011.3 checker: ${SHARED_SKIP_REASON}`);

describe.skipIf(!checker)("Glance 2011.3 checker", () => {
  it.each(SHIPPED)("finds no error or warning in the diablo files of $proposal", ({ proposal, inventory }) => {
    const plan = planShipped(proposal, inventory, "diablo");
    const root = newRoot("gb-diablo-");
    const configs = files(plan).filter((f) => f.role === "config");
    expect(configs).toHaveLength(6);
    for (const file of configs) {
      const path = join(root, file.path);
      mkdirSync(dirname(path), { recursive: true });
      // Secrets filled the way apply fills them, with the % that paste.deploy's reader must see escaped.
      writeFileSync(path, filled(file, Object.fromEntries(plan.secrets.map((s) => [s.name, "s3cr%t"]))));
      const result = run("/usr/bin/python3", [
        join(SHARED, "tools/check-diablo-conf.py"),
        join(REFERENCE, "glance-options/diablo-detailed.json"),
        path,
        "--as",
        `glance-${file.path.split("/").pop()?.replace(/^glance-/u, "")}`,
        "--json",
      ]);
      const report = JSON.parse(result.stdout) as { errors: string[]; warnings: string[]; factories_loaded: string[] };
      // The checker's bare-% heuristic (/%(?!%|\()/) also matches the second % of an escaped "%%";
      // the real paste.deploy load below is what proves the escaping.
      const warnings = report.warnings.filter((w) => !(w.startsWith('a bare "%" appears') && file.secrets.length > 0));
      expect({ file: file.path, errors: report.errors, warnings }).toEqual({ file: file.path, errors: [], warnings: [] });
      expect(report.factories_loaded.length, `${file.path} was not loaded by paste.deploy`).toBeGreaterThan(0);
    }
  });
});
