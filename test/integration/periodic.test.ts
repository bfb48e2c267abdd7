/**
 * Periodic jobs: the foreground scheduler on seconds-level schedules (runs, skipped overlaps,
 * SIGTERM), switching between cron, timers and none without leaving anything stale, and cron
 * entries a distribution package already ships.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startScheduler, type RunRecord } from "../../src/schedule/scheduler.js";
import { runCli } from "../helpers/cli.js";
import { CLI } from "../helpers/paths.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const collector = () => {
  const lines: Array<{ level: "info" | "warn"; fields: Record<string, unknown>; message: string }> = [];
  return {
    lines,
    log: {
      info: (fields: object, message: string) => lines.push({ level: "info", fields: fields as Record<string, unknown>, message }),
      warn: (fields: object, message: string) => lines.push({ level: "warn", fields: fields as Record<string, unknown>, message }),
    },
  };
};

describe("the foreground scheduler", () => {
  it("runs jobs on their schedule, skips a run while the previous one is going, and logs every run", async () => {
    const { lines, log } = collector();
    const scheduler = startScheduler(
      [
        { name: "quick", schedule: "* * * * * *", argv: ["sh", "-c", "echo ok"] },
        { name: "slow", schedule: "* * * * * *", argv: ["sleep", "2.5"] },
        { name: "broken", schedule: "* * * * * *", argv: ["sh", "-c", "echo something broke >&2; exit 3"] },
      ],
      log,
    );
    await sleep(4600);
    await scheduler.stop(10_000);
    const runs = (job: string): RunRecord[] => scheduler.runs.filter((r) => r.job === job);
    expect(runs("quick").length).toBeGreaterThanOrEqual(3);
    expect(runs("quick").every((r) => r.exitCode === 0 && r.output === undefined)).toBe(true);
    // Fired every second, but never twice at once: at most two runs of 2.5 s fit in 4.6 s.
    expect(runs("slow").length).toBeGreaterThanOrEqual(1);
    expect(runs("slow").length).toBeLessThanOrEqual(2);
    expect(lines.filter((l) => l.message === "slow skipped: its previous run is still going").length).toBeGreaterThanOrEqual(1);
    const broken = runs("broken")[0];
    expect(broken).toMatchObject({ job: "broken", exitCode: 3, output: "something broke\n" });
    expect(typeof broken?.durationMs).toBe("number");
    expect(lines.some((l) => l.level === "warn" && l.message === "broken failed")).toBe(true);
  }, 20_000);

  it("waits for a running job on stop, up to the grace period, then ends it", async () => {
    const { log } = collector();
    const scheduler = startScheduler([{ name: "long", schedule: "* * * * * *", argv: ["sleep", "30"] }], log);
    await sleep(1500);
    const started = Date.now();
    await scheduler.stop(500);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(scheduler.runs.map((r) => r.job)).toEqual(["long"]);
    expect(scheduler.runs[0]?.exitCode).not.toBe(0);
  }, 20_000);
});

describe("glance-barclamp schedule", () => {
  const work = newRoot("gb-glance-schedule-");
  const seconds = writeJson(
    join(work, "none.json"),
    proposalWith({
      release: "zed",
      periodic_jobs: "none",
      enable_caching: true,
      scrubber: { schedule: "* * * * * *", config_file: join(work, "missing-scrubber.conf") },
      reaper: { schedule: "*/2 * * * * *" },
    }),
  );

  it("runs the node's jobs and ends cleanly, exit 0, on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--log-format", "json", "schedule", seconds, "--node", "n1", "--grace", "5"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Until two scrubber runs have ended (each logs its exit code), however loaded the machine is.
    for (let i = 0; i < 150 && (stderr.match(/"job":"scrubber"[^\n]*"exitCode"/gu) ?? []).length < 2; i++) await sleep(100);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    const records = stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const scrubberRuns = records.filter((r) => r.job === "scrubber" && typeof r.exitCode === "number");
    expect(scrubberRuns.length).toBeGreaterThanOrEqual(2);
    // The config file does not exist: each run fails, and its log line carries the output's tail.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(scrubberRuns[0]).toMatchObject({ exitCode: expect.any(Number), start: expect.any(String), durationMs: expect.any(Number) });
    expect(scrubberRuns[0]?.exitCode).not.toBe(0);
    expect(typeof scrubberRuns[0]?.output).toBe("string");
    expect(records.some((r) => r.msg === "stopping: no new job starts" && r.signal === "SIGTERM")).toBe(true);
  }, 30_000);

  it("refuses to double what cron already runs, and runs one job with --once", () => {
    const cronProposal = writeJson(join(work, "cron.json"), proposalWith({ release: "zed", scrubber: { config_file: join(work, "missing.conf") } }));
    const refused = runCli(["schedule", cronProposal, "--node", "n1"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[scheduled-elsewhere]: periodic_jobs is "cron": cron already runs these jobs');
    const once = runCli(["schedule", cronProposal, "--node", "n1", "--once", "scrubber"]);
    expect(once.code).toBe(1);
    expect(once.stderr).toContain("scrubber failed (job=scrubber, ");
    const json = runCli(["schedule", cronProposal, "--node", "n1", "--once", "scrubber", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ report_version: 1, run: { job: "scrubber", exitCode: 1 } });
    const notHere = runCli(["schedule", cronProposal, "--node", "n1", "--once", "pruner"]);
    expect(notHere.code).toBe(2);
    expect(notHere.stderr).toContain("pruner does not run on n1: caching is off");
  });
});

describe("switching how periodic jobs run", () => {
  const periodicFiles = (root: string) => ({
    cron: existsSync(join(root, "etc/cron.d")) ? readdirSync(join(root, "etc/cron.d")).sort() : [],
    systemd: existsSync(join(root, "etc/systemd/system")) ? readdirSync(join(root, "etc/systemd/system")).filter((f) => f !== "glance-api.service").sort() : [],
  });

  it("leaves no stale cron file, timer or service behind", () => {
    const root = newRoot();
    const work = newRoot("gb-glance-modes-");
    const apply = (glance: Record<string, unknown>) => {
      const result = runCli(["apply", writeJson(join(work, `${JSON.stringify(glance).length}.json`), proposalWith({ release: "zed", ...glance })), "--root", root, "--node", "n1"]);
      expect(result.code, result.stderr).toBe(0);
      return periodicFiles(root);
    };
    const jobs = ["prefetcher", "pruner", "reaper", "scrubber"];
    expect(apply({ enable_caching: true })).toEqual({ cron: jobs.map((j) => `glance-${j}`), systemd: [] });
    expect(apply({ enable_caching: true, periodic_jobs: "systemd-timer" })).toEqual({
      cron: [],
      systemd: jobs.flatMap((j) => [`glance-${j}.service`, `glance-${j}.timer`]),
    });
    expect(apply({ enable_caching: false, periodic_jobs: "systemd-timer" })).toEqual({ cron: [], systemd: ["glance-scrubber.service", "glance-scrubber.timer"] });
    expect(apply({ enable_caching: true, periodic_jobs: "none" })).toEqual({ cron: [], systemd: [] });
    expect(apply({ enable_caching: true })).toEqual({ cron: jobs.map((j) => `glance-${j}`), systemd: [] });
  });

  it("does not schedule a job twice when the distribution's package ships its cron entry", () => {
    const root = newRoot();
    mkdirSync(join(root, "etc/cron.d"), { recursive: true });
    writeFileSync(join(root, "etc/cron.d/glance-common"), "# shipped by the package\n*/30 * * * * glance /usr/bin/glance-scrubber\n");
    const proposal = writeJson(join(newRoot("gb-pkg-"), "p.json"), proposalWith({ release: "zed", enable_caching: true }));
    const result = runCli(["apply", proposal, "--root", root, "--node", "n1"]);
    expect(result.code).toBe(0);
    expect(readdirSync(join(root, "etc/cron.d")).sort()).toEqual(["glance-common", "glance-prefetcher", "glance-pruner", "glance-reaper"]);
    const plan = runCli(["plan", proposal, "--root", root, "--node", "n1"]);
    expect(plan.stdout).toContain("scrubber   does not run here: the package's cron entry /etc/cron.d/glance-common already runs it");
    const verify = runCli(["verify", proposal, "--root", root, "--node", "n1", "--json", "--timeout", "1"]);
    const checks = (JSON.parse(verify.stdout) as { checks: Array<{ check: string; outcome: string }> }).checks;
    expect(checks.find((c) => c.check === "files")?.outcome).toBe("pass");
  });
});
