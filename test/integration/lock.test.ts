/**
 * The apply lock between processes: waiters that all find the same dead holder take the lock one
 * after another, never together; released, it leaves nothing behind; a failed pre-check takes none.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { newRoot } from "../helpers/roots.js";

let worker = "";
beforeAll(() => {
  worker = join(newRoot("gb-lock-worker-"), "hold.cjs");
  buildSync({ entryPoints: ["test/fixtures/lock/hold.ts"], bundle: true, platform: "node", format: "cjs", outfile: worker, logLevel: "silent" });
});

/** A pid that is certainly dead: a process that ran and was reaped. */
const deadPid = (): number => spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim() as unknown as number;

const plantDeadHolder = (lockPath: string): void => {
  mkdirSync(`${lockPath}.lock`, { recursive: true });
  writeFileSync(`${lockPath}.holder`, JSON.stringify({ pid: Number(deadPid()), host: hostname(), since: "2026-01-01T00:00:00.000Z", command: "killed apply" }));
};

const race = async (lockPath: string, waiters: number): Promise<Array<[number, number]>> => {
  const log = `${lockPath}.log`;
  writeFileSync(log, "");
  const goAt = Date.now() + 600;
  await Promise.all(
    Array.from({ length: waiters }, () => new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [worker, lockPath, log, "150", String(goAt)], { stdio: ["ignore", "ignore", "inherit"] });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`waiter exited ${code}`))));
    })),
  );
  return readFileSync(log, "utf8").trim().split("\n").map((line) => {
    const [, start, end] = line.split(" ").map(Number);
    return [start as number, end as number];
  });
};

const overlaps = (intervals: Array<[number, number]>): boolean => {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  return sorted.some((interval, i) => i > 0 && interval[0] < (sorted[i - 1] as [number, number])[1]);
};

describe("the apply lock", () => {
  it("is taken by one waiter at a time when several find the same dead holder", async () => {
    for (let round = 0; round < 4; round++) {
      const root = newRoot();
      const lockPath = join(root, "apply");
      plantDeadHolder(lockPath);
      const held = await race(lockPath, 4);
      expect(held).toHaveLength(4);
      expect(overlaps(held), JSON.stringify(held)).toBe(false);
    }
  }, 60_000);

  it("the overlap check can fail", () => {
    expect(overlaps([[0, 10], [5, 15]])).toBe(true);
    expect(overlaps([[0, 10], [10, 15]])).toBe(false);
  });

  it("leaves nothing behind once released", async () => {
    const root = newRoot();
    const lockPath = join(root, "apply");
    await race(lockPath, 2);
    expect(readdirSync(root).filter((name) => name !== "apply.log")).toEqual([]);
  });

  it("is not taken, and leaves no file, when apply stops at a pre-check", () => {
    const root = newRoot();
    // A secret from an unset variable: the pre-check refuses before the lock.
    const proposal = join(root, "p.json");
    const base = JSON.parse(readFileSync("proposals/mysql-swift.json", "utf8")) as { attributes: { glance: Record<string, unknown> } };
    base.attributes.glance.swift_store_key = { env: "GB_LOCK_TEST_UNSET" }; // set, but empty
    writeFileSync(proposal, JSON.stringify(base));
    const target = join(root, "target");
    mkdirSync(target);
    const result = runCli(["apply", proposal, "-i", "proposals/mysql-swift.inventory.json", "--root", target, "--node", "node1"], { env: { ...process.env, GB_LOCK_TEST_UNSET: "" } });
    expect(result.code, result.stderr).toBe(6);
    expect(existsSync(join(target, "var/lib/glance-barclamp/apply"))).toBe(false);
    expect(existsSync(join(target, "var/lib/glance-barclamp/apply.lock"))).toBe(false);
  });
});
