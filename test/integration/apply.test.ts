/**
 * apply on temporary roots, through the built CLI: idempotency, removal of what the plan marks
 * absent, kill -9 at random moments, concurrent applies, confinement against planted symlinks and
 * hostile paths, read-only roots, dry run and diff, rollback, and secrets in every byte of output.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireLock } from "../../src/engine/lock.js";
import { runCli } from "../helpers/cli.js";
import { CLI } from "../helpers/paths.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, notState, shape, snapshot, writeJson, type Entry } from "../helpers/roots.js";

const work = newRoot("gb-apply-inputs-");
// Readable by the unprivileged user of the staging-root test.
chmodSync(work, 0o755);
const proposalFile = (name: string, glance: Record<string, unknown>): string => writeJson(join(work, `${name}.json`), proposalWith({ release: "zed", ...glance }));

const CACHE_ON = proposalFile("cache-on", { enable_caching: true });
const CACHE_OFF = proposalFile("cache-off", { enable_caching: false, api: { debug: true } });

const apply = (proposal: string, root: string, ...extra: string[]) => runCli(["apply", proposal, "--root", root, "--node", "n1", ...extra]);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("apply", () => {
  it("converges an empty root, and a second apply changes nothing and touches no file", () => {
    const root = newRoot();
    const first = apply(CACHE_ON, root, "--json");
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { changes: Array<{ action: string; target: string }> };
    expect(report.changes.filter((c) => c.action === "create").length).toBeGreaterThan(20);
    // Everything but the state directory, whose lock files change on every run.
    const before = snapshot(root, { skip: notState });
    const second = apply(CACHE_ON, root, "--json");
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as { changes: Array<{ action: string }> };
    expect(again.changes.filter((c) => !["unchanged", "skipped"].includes(c.action))).toEqual([]);
    // Same content, modes and mtimes everywhere: nothing was rewritten.
    expect(snapshot(root, { skip: notState })).toEqual(before);
    expect(statSync(join(root, "etc/glance/glance-api.conf")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(root, "etc/cron.d/glance-pruner"), "utf8")).toContain("glance /usr/bin/glance-cache-pruner");
  });

  it("removes the cache cron entries when caching is turned off", () => {
    const root = newRoot();
    expect(apply(CACHE_ON, root).code).toBe(0);
    for (const job of ["reaper", "pruner", "prefetcher"]) expect(existsSync(join(root, `etc/cron.d/glance-${job}`))).toBe(true);
    // What a caching-on apply killed mid-write leaves behind: the temporary of a file the next plan removes.
    const orphan = join(root, "etc/cron.d/.glance-reaper.glance-barclamp-tmp");
    writeFileSync(orphan, "* * * * * glance /usr/bin/glance-cache-reaper\n");
    const off = apply(CACHE_OFF, root);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/remove\s+file\s+\/etc\/cron.d\/glance-pruner/u);
    for (const job of ["reaper", "pruner", "prefetcher"]) expect(existsSync(join(root, `etc/cron.d/glance-${job}`))).toBe(false);
    expect(existsSync(join(root, "etc/cron.d/glance-scrubber"))).toBe(true);
    expect(existsSync(orphan)).toBe(false);
  });

  it("leaves every file old or new when killed at random moments, and the next apply converges", async () => {
    let slowest = 0;
    const references = [CACHE_ON, CACHE_OFF].map((proposal) => {
      const root = newRoot();
      const started = Date.now();
      expect(apply(proposal, root).code).toBe(0);
      slowest = Math.max(slowest, Date.now() - started);
      return shape(snapshot(root, { skip: notState }));
    });
    const root = newRoot();
    let killed = 0;
    for (let i = 0; i < 24; i++) {
      const proposal = i % 2 === 0 ? CACHE_ON : CACHE_OFF;
      const child = spawn(process.execPath, [CLI, "apply", proposal, "--root", root, "--node", "n1"], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // Somewhere in a whole apply's run time, as measured here: most kills land while it writes.
      await new Promise((resolve) => setTimeout(resolve, slowest * (0.3 + Math.random() * 0.8)));
      if (child.kill("SIGKILL")) killed++;
      await exited;
      const now = shape(snapshot(root, { skip: notState }));
      for (const [path, entry] of Object.entries(now)) {
        if (entry.type !== "file" || path.includes(".glance-barclamp-tmp")) continue;
        const versions = references.map((ref) => ref[path]?.sha).filter((sha) => sha !== undefined);
        // An empty SQLite file is created exclusively, never written: it has one version.
        expect(versions, `${path} is not a file the plans write`).not.toEqual([]);
        expect(versions, `${path} is partial`).toContain(entry.sha);
      }
    }
    expect(killed).toBeGreaterThan(0);
    expect(apply(CACHE_OFF, root).code).toBe(0);
    const converged = shape(snapshot(root, { skip: notState }));
    // Files converge exactly; the cache directories of the caching-on runs are kept (data is never deleted).
    const filesOf = (s: Record<string, Omit<Entry, "mtimeNs">>) => Object.fromEntries(Object.entries(s).filter(([, e]) => e.type === "file"));
    expect(filesOf(converged)).toEqual(filesOf(references[1] ?? {}));
    expect(Object.keys(converged).filter((p) => p.includes("glance-barclamp-tmp"))).toEqual([]);
    expect(apply(CACHE_OFF, root, "--json").stdout).not.toMatch(/"action": "(create|update|remove)"/u);
  }, 120_000);

  it("never interleaves two applies on one root", async () => {
    const root = newRoot();
    const run = (proposal: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, "apply", proposal, "--root", root, "--node", "n1"], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(CACHE_ON), run(CACHE_ON)]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(apply(CACHE_ON, root, "--json").stdout).not.toMatch(/"action": "(create|update|remove)"/u);
  });

  it("fails clearly, naming the holder, when the lock stays held", async () => {
    const root = newRoot();
    mkdirSync(join(root, "var/lib/glance-barclamp"), { recursive: true });
    const lock = await acquireLock(join(root, "var/lib/glance-barclamp/apply"), "test holder");
    try {
      const result = apply(CACHE_ON, root);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error[locked]: another apply holds the lock on this root: pid ${process.pid}`);
      expect(result.stderr).toContain("(test holder)");
      expect(existsSync(join(root, "etc"))).toBe(false);
    } finally {
      lock.release();
    }
  });

  it("keeps every write inside the root despite symlinks planted to the outside", () => {
    const root = newRoot();
    const outside = newRoot("gb-outside-");
    writeFileSync(join(outside, "precious"), "do not touch\n");
    mkdirSync(join(root, "etc/cron.d"), { recursive: true });
    // A directory link and a file link, both absolute and pointing out of the root.
    symlinkSync(outside, join(root, "etc/glance"));
    symlinkSync(join(outside, "precious"), join(root, "etc/cron.d/glance-scrubber"));
    symlinkSync("../../../../../..", join(root, "etc/systemd"));
    const before = snapshot(outside);
    const result = apply(CACHE_ON, root);
    expect(result.code).toBe(0);
    expect(snapshot(outside)).toEqual(before);
    expect(readFileSync(join(outside, "precious"), "utf8")).toBe("do not touch\n");
    // The absolute link is followed as if the root were "/": the file lands inside the root.
    expect(readFileSync(join(root, outside, "glance-api.conf"), "utf8")).toContain("[DEFAULT]");
    expect(statSync(join(root, "etc/cron.d/glance-scrubber")).isFile()).toBe(true);
    expect(readFileSync(join(root, "etc/cron.d/glance-scrubber"), "utf8")).toContain("glance-scrubber");
  });

  it("refuses a proposal path with .. segments before changing anything", () => {
    const root = newRoot();
    const hostile = proposalFile("dotdot", { api: { config_file: "/etc/glance/../../../../tmp/escape.conf" } });
    const result = apply(hostile, root);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("attributes.glance.api.config_file: must be an absolute, normalised path");
    expect(readdirSync(root)).toEqual([]);
  });

  it("stops on a read-only root with a clear message and changes nothing", () => {
    const root = newRoot();
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", root]).status === 0;
    try {
      const result = mounted
        ? apply(CACHE_ON, root)
        : runCli(["apply", CACHE_ON, "--root", root, "--node", "n1"], { uid: 65534, gid: 65534 });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/error\[root-not-writable\]: cannot write to the root .*(EROFS|EACCES)/u);
      expect(result.stderr).toContain("nothing was changed");
      expect(readdirSync(root)).toEqual([]);
    } finally {
      if (mounted) spawnSync("umount", [root]);
    }
  });

  it("works on a staging root owned by an ordinary user, leaving owners alone", () => {
    const root = newRoot();
    spawnSync("chown", ["65534:65534", root]);
    // A copy of the bundle the unprivileged user can read wherever the checkout lives; a SQLite
    // staging apply loads no external module.
    const bin = newRoot("gb-bin-");
    chmodSync(bin, 0o755);
    cpSync(dirname(dirname(CLI)), bin, { recursive: true });
    const asNobody = (...extra: string[]) => {
      const result = spawnSync(process.execPath, [join(bin, "bin/glance-barclamp.cjs"), "apply", CACHE_ON, "--root", root, "--node", "n1", ...extra], {
        cwd: bin,
        uid: 65534,
        gid: 65534,
        encoding: "utf8",
      });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const result = asNobody();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("warning: not running as root: file owners are left as they are");
    expect(statSync(join(root, "etc/glance/glance-api.conf")).uid).toBe(65534);
    expect(asNobody("--json").stdout).not.toMatch(/"action": "(create|update|remove)"/u);
  });

  it("changes nothing with --dry-run or diff, and diff exits 4 while changes are pending", () => {
    const root = newRoot();
    mkdirSync(join(root, "etc/glance"), { recursive: true });
    writeFileSync(join(root, "etc/glance/glance-api.conf"), "[DEFAULT]\ndebug = True\n");
    const before = snapshot(root);
    const dry = apply(CACHE_ON, root, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run: ");
    expect(dry.stdout).toContain("--- /etc/glance/glance-api.conf");
    expect(dry.stdout).toMatch(/^would create directory \/var\/lib\/glance: /mu);
    const diff = runCli(["diff", CACHE_ON, "--root", root, "--node", "n1"]);
    expect(diff.code).toBe(4);
    expect(diff.stdout).toContain("--- /etc/glance/glance-api.conf");
    expect(diff.stdout).toContain("-debug = True");
    expect(diff.stdout).toContain("+debug = False");
    expect(snapshot(root)).toEqual(before);
    expect(apply(CACHE_ON, root).code).toBe(0);
    const clean = runCli(["diff", CACHE_ON, "--root", root, "--node", "n1"]);
    expect([clean.code, clean.stdout]).toEqual([0, "no changes pending\n"]);
  });

  it("rolls back the last apply from its backup", () => {
    const root = newRoot();
    expect(apply(CACHE_ON, root).code).toBe(0);
    const first = shape(snapshot(root, { skip: notState }));
    expect(apply(CACHE_OFF, root).code).toBe(0);
    expect(existsSync(join(root, "etc/cron.d/glance-pruner"))).toBe(false);
    const rollback = runCli(["rollback", "--root", root]);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain("restored /etc/cron.d/glance-pruner");
    expect(rollback.stdout).toContain("restored /etc/glance/glance-api.conf");
    const restored = shape(snapshot(root, { skip: notState }));
    const files = (s: Record<string, Omit<Entry, "mtimeNs">>) => Object.fromEntries(Object.entries(s).filter(([, e]) => e.type === "file"));
    expect(files(restored)).toEqual(files(first));
  });

  it("lists its backups, previews a rollback, restores modes, and undoes several applies with --to", () => {
    const root = newRoot();
    expect(apply(CACHE_ON, root).code).toBe(0);
    const first = shape(snapshot(root, { skip: notState }));
    // A mode changed by hand: the next apply mends it, and its backup keeps the old one.
    const planned = statSync(join(root, "etc/glance/glance-api.conf")).mode & 0o777;
    chmodSync(join(root, "etc/glance/glance-api.conf"), 0o600);
    expect(apply(CACHE_ON, root).code).toBe(0);
    expect(statSync(join(root, "etc/glance/glance-api.conf")).mode & 0o777).toBe(planned);
    expect(apply(CACHE_OFF, root).code).toBe(0);
    const listed = JSON.parse(runCli(["rollback", "--root", root, "--list", "--json"]).stdout) as { backups: Array<{ id: string; files: number }> };
    // One per apply, oldest first: the first one's undo removes what it created.
    expect(listed.backups).toHaveLength(3);
    const mended = listed.backups[1] ?? { id: "" };
    const disabled = listed.backups[2] ?? { id: "" };
    expect(runCli(["rollback", "--root", root, "--list"]).stdout).toContain(disabled.id);
    const before = snapshot(root);
    const dry = runCli(["rollback", "--root", root, "--to", mended.id, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("would restore /etc/glance/glance-api.conf");
    expect(dry.stdout).toContain(`would roll back apply ${disabled.id}, ${mended.id}`);
    expect(dry.stdout).toContain("staging root: would run systemctl try-restart glance-api.service");
    expect(snapshot(root)).toEqual(before);
    const done = runCli(["rollback", "--root", root, "--to", mended.id]);
    expect(done.code, done.stderr).toBe(0);
    // Back to the first apply's files, and to the mode the hand edit left before the second apply.
    expect(statSync(join(root, "etc/glance/glance-api.conf")).mode & 0o777).toBe(0o600);
    const files = (s: Record<string, Omit<Entry, "mtimeNs">>) => Object.fromEntries(Object.entries(s).filter(([, e]) => e.type === "file").map(([p, e]) => [p, { ...e, mode: 0 }]));
    expect(files(shape(snapshot(root, { skip: notState })))).toEqual(files(first));
    expect((JSON.parse(runCli(["rollback", "--root", root, "--list", "--json"]).stdout) as { backups: unknown[] }).backups).toHaveLength(1);
    expect(runCli(["rollback", "--root", root, "--to", "nope"]).code).toBe(1);
  });
});
