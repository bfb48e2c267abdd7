/**
 * What users and machines do, through the built CLI: a full disk, a damaged backup, secrets that
 * are not secrets, hostile documents in a batch, short secrets masked by position, a database that
 * is down under verify. Each ends with its documented exit code, a message naming the path or host,
 * and nothing half-written.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { listen, portOf } from "../helpers/http.js";
import { freePort } from "../helpers/glance-api.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const work = newRoot("gb-safety-");
const proposal = (name: string, glance: Record<string, unknown> = {}): string => writeJson(join(work, `${name}.json`), proposalWith({ release: "zed", ...glance }));
const apply = (file: string, root: string, env: NodeJS.ProcessEnv = process.env, ...extra: string[]) =>
  runCli(["apply", file, "--root", root, "--node", "n1", ...extra], { env });

/** Every file under a root: path → size; temporaries included, so that none can hide. */
const files = (root: string): Map<string, number> => {
  const out = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(full.slice(root.length), statSync(full).size);
    }
  };
  walk(root);
  return out;
};

describe("a full disk", () => {
  it("stops apply with exit 1 naming the path, leaving whole files or none, no temporary, no empty manifest", () => {
    const base = proposal("full", { enable_caching: true });
    // One that fits, to learn the size an apply needs; then a root a little smaller than that.
    const roomy = newRoot();
    expect(apply(base, roomy).code).toBe(0);
    const complete = files(roomy);
    // What the apply took in tmpfs pages (4 KiB a file; directories take none): the disk then fills
    // at a quarter, half and three quarters of it.
    const used = [...complete.values()].reduce((sum, bytes) => sum + Math.max(1, Math.ceil(bytes / 4096)) * 4, 0);
    for (const size of [0.25, 0.5, 0.75].map((f) => Math.max(4, Math.floor((used * f) / 4) * 4))) {
      const root = newRoot();
      if (spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}k`, "tmpfs", root]).status !== 0) {
        if (process.env.CI === "true") throw new Error("mounting a tmpfs needs root, which CI has");
        console.warn("a full disk: skipped, mounting a tmpfs needs root");
        return;
      }
      try {
        const result = apply(base, root);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/error\[system-error\]: .* \/\S+ .*failed: no space left on the device \(ENOSPC\)/u);
        expect(result.stderr).not.toContain("internal error");
        for (const [path, bytes] of files(root)) {
          expect(path, "no temporary is left").not.toContain("glance-barclamp-tmp");
          if (path.startsWith("/var/lib/glance-barclamp/")) {
            if (path.endsWith("manifest.json")) expect(bytes, "no empty manifest").toBeGreaterThan(0);
            continue;
          }
          // A file is there whole, as the complete apply wrote it, or not at all (the SQLite file grows).
          if (!path.endsWith(".sqlite") && !path.endsWith("-journal")) expect(bytes, path).toBe(complete.get(path));
        }
      } finally {
        spawnSync("umount", [root]);
      }
    }
  });
});

describe("backups", () => {
  const appliedTwice = (): string => {
    const root = newRoot();
    expect(apply(proposal("b1"), root).code).toBe(0);
    expect(apply(proposal("b2", { api: { debug: true } }), root).code).toBe(0);
    return root;
  };

  it.each([
    ["not JSON", "{ nope"],
    ["the wrong shape", JSON.stringify({ id: 1, entries: "all" })],
    ["an entry outside the root's paths", JSON.stringify({ id: "x", proposal: "p", node: "n", createdAt: "t", entries: [{ path: "relative", existed: true }] })],
  ])("refuses a manifest that is %s: exit 1, its path named, nothing restored", (_name, damage) => {
    const root = appliedTwice();
    const backups = join(root, "var/lib/glance-barclamp/backups");
    const [id] = readdirSync(backups).sort().reverse();
    const manifest = join(backups, id as string, "manifest.json");
    writeFileSync(manifest, damage);
    const config = readFileSync(join(root, "etc/glance/glance-api.conf"), "utf8");
    const result = runCli(["rollback", "--root", root]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`error[backup-corrupt]: the backup manifest ${manifest}`);
    expect(readFileSync(join(root, "etc/glance/glance-api.conf"), "utf8")).toBe(config);
  });

  it("rollback restores a file that holds secrets as 0640 whatever mode it had", () => {
    const root = newRoot();
    // A config the package (or a hand) left world-readable, before the first apply replaces it.
    mkdirSync(join(root, "etc/glance"), { recursive: true });
    writeFileSync(join(root, "etc/glance/glance-swift.conf"), "[ref1]\nkey = hand-written\n");
    chmodSync(join(root, "etc/glance/glance-swift.conf"), 0o644);
    const swift = proposal("swift-secret", { default_store: "swift", swift_store_auth_address: "http://127.0.0.1:8080/auth/v1.0", swift_store_user: "a:b", swift_store_key: "k3y" });
    expect(apply(swift, root).code).toBe(0);
    expect(runCli(["rollback", "--root", root]).code).toBe(0);
    expect(readFileSync(join(root, "etc/glance/glance-swift.conf"), "utf8")).toContain("hand-written");
    expect(statSync(join(root, "etc/glance/glance-swift.conf")).mode & 0o7777).toBe(0o640);
  });
});

describe("secrets that are not secrets", () => {
  const swift = (key: unknown): string =>
    proposal(`swift-${Math.random().toString(36).slice(2)}`, { default_store: "swift", swift_store_auth_address: "http://127.0.0.1:8080/auth/v1.0", swift_store_user: "a:b", swift_store_key: key });

  it.each([
    ["a file larger than 64 KiB", () => ({ file: writeBig() }), "secret-too-large", "is larger than 64 KiB"],
    ["a file with white space around the value", () => ({ file: writeSecret(" padded \n") }), "bad-secret", "starts or ends with white space"],
    ["a file with two lines", () => ({ file: writeSecret("one\ntwo\n") }), "bad-secret", "line break"],
    ["a directory", () => ({ file: work }), "secret-unreadable", "is not a regular file"],
    ["a missing file", () => ({ file: join(work, "missing") }), "secret-unreadable", "ENOENT"],
    ["an unset variable", () => ({ env: "GB_SAFETY_UNSET" }), "secret-unset", "GB_SAFETY_UNSET is not set"],
    ["a variable holding a tab", () => ({ env: "GB_SAFETY_TAB" }), "bad-secret", "control character"],
  ])("refuses %s with exit 6, naming the field and the reference, writing nothing", (_name, reference, code, message) => {
    const root = newRoot();
    const ref = reference();
    const env: NodeJS.ProcessEnv = { ...process.env, GB_SAFETY_TAB: "a\tb" };
    delete env.GB_SAFETY_UNSET;
    const result = apply(swift(ref), root, env);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain(`error[${code}]: `);
    expect(result.stderr).toContain("proposal field attributes.glance.swift_store_key");
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("file" in ref ? ref.file : ref.env);
    expect(readdirSync(root)).toEqual([]);
  });

  const writeSecret = (text: string): string => {
    const path = join(work, `secret-${Math.random().toString(36).slice(2)}`);
    writeFileSync(path, text);
    return path;
  };
  const writeBig = (): string => writeSecret("x".repeat(70 * 1024));

  it("takes a file's one trailing newline off, as every operator's echo adds it", () => {
    const root = newRoot();
    expect(apply(swift({ file: writeSecret("k3y-value\n") }), root).code).toBe(0);
    expect(readFileSync(join(root, "etc/glance/glance-swift.conf"), "utf8")).toMatch(/^key = k3y-value$/mu);
  });
});

describe("hostile documents in a batch", () => {
  it("a proposal nested 100,000 deep is refused (exit 3) and the files after it are still checked", () => {
    const deep = join(work, "deep.json");
    writeFileSync(deep, `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    const good = proposal("good");
    const result = runCli(["validate", deep, good]);
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toContain("nested more than 64 deep");
    expect(result.stdout + result.stderr).toContain(`valid: ${good}`);
    expect(result.stderr).not.toContain("internal error");
    const zero = runCli(["validate", "/dev/zero", good]);
    expect(zero.code).toBe(2);
    expect(zero.stdout + zero.stderr).toContain("cannot read /dev/zero: not a regular file");
    expect(zero.stdout + zero.stderr).toContain(`valid: ${good}`);
  });
});

describe("masking by position", () => {
  it("masks a short secret where it stands and leaves the same word readable everywhere else", () => {
    const root = newRoot();
    // The 2011 default key "glance": also the user, the group, and part of every path.
    const swift = proposal("short-key", { default_store: "swift", swift_store_auth_address: "http://127.0.0.1:8080/auth/v1.0", swift_store_user: "glance:glance", swift_store_key: "glance" });
    expect(apply(swift, root).code).toBe(0);
    const conf = join(root, "etc/glance/glance-swift.conf");
    // A hand edit put another short key there, and a user line: the diff must not show the key either.
    writeFileSync(conf, readFileSync(conf, "utf8").replace(/^key = .*$/mu, "key = pw1").replace(/^user = .*$/mu, "user = glance:other"));
    const diff = runCli(["diff", swift, "--root", root, "--node", "n1"]);
    expect(diff.code, diff.stderr).toBe(4);
    expect(diff.stdout).toContain("-key = ********");
    expect(diff.stdout).toContain("+key = ********   [secret changed]");
    expect(diff.stdout).not.toContain("pw1");
    // "glance" stays readable in the user line and the path.
    expect(diff.stdout).toContain("-user = glance:other");
    expect(diff.stdout).toContain("+user = glance:glance");
    expect(diff.stdout).toContain("/etc/glance/glance-swift.conf");
  });
});

describe("verify with the database down", () => {
  // The live root: a staging root's database is not checked (see below). verify only reads.
  it("lists every check, the database one failed, exit 5, also as JSON", async () => {
    const port = await freePort();
    const inventory = writeJson(join(work, "down.inventory.json"), {
      nodes: { n1: { admin_address: "127.0.0.1" } },
      mysql: { db1: { host: "127.0.0.1", port, admin_user: "root", admin_password: "x" } },
    });
    const mysql = writeJson(join(work, "mysql.json"), proposalWith({ release: "zed", database: "mysql", mysql_password: "p4ssword" }, { "glance-server": ["n1"] }));
    for (const json of [false, true]) {
      const result = runCli(["verify", mysql, "-i", inventory, "--root", "/", "--node", "n1", "--timeout", "1", ...(json ? ["--json"] : [])]);
      expect(result.code, result.stderr).toBe(5);
      if (json) {
        const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; outcome: string; detail: string }> }).checks;
        expect(checks.map((c) => c.check)).toEqual(expect.arrayContaining(["files", "api", "database"]));
        expect(checks.find((c) => c.check === "database")).toMatchObject({ outcome: "fail", detail: expect.stringContaining(`127.0.0.1:${port}`) as unknown });
      } else {
        expect(result.stdout).toMatch(/FAIL\s+database\s+.*127\.0\.0\.1/u);
      }
    }
  });
});

describe("verify on a staging root", () => {
  const staged = async () => {
    const root = newRoot();
    const listener = await listen((request, response) => {
      probes.push(request.url ?? "");
      response.writeHead(200).end("{}");
    });
    const probes: string[] = [];
    const file = writeJson(join(work, "staged.json"), proposalWith({ release: "zed", api: { bind_port: portOf(listener) } }, { "glance-server": ["n1"] }));
    expect(apply(file, root).code).toBe(0);
    return { root, file, probes, listener };
  };

  it("checks files, units and cron entries, lists the live checks as skipped, and touches no port", async () => {
    const { root, file, probes, listener } = await staged();
    try {
      const result = await runCliAsync(["verify", file, "--root", root, "--node", "n1", "--json"]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; outcome: string; detail: string }> }).checks;
      expect(checks.find((c) => c.check === "files")?.outcome).toBe("pass");
      expect(checks.filter((c) => c.check.startsWith("cron ")).map((c) => c.outcome)).toContain("pass");
      for (const live of ["api", "database"]) expect(checks.find((c) => c.check === live), live).toMatchObject({ outcome: "skip", detail: expect.stringContaining("staging root") as unknown });
      expect(probes).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it("still fails when a file drifted or an entry is missing", async () => {
    const { root, file, listener } = await staged();
    listener.close();
    writeFileSync(join(root, "etc/glance/glance-api.conf"), "[DEFAULT]\n");
    rmSync(join(root, "etc/cron.d/glance-scrubber"));
    const result = runCli(["verify", file, "--root", root, "--node", "n1"]);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/FAIL\s+files\s+pending: .*update \/etc\/glance\/glance-api\.conf/u);
    expect(result.stdout).toMatch(/FAIL\s+cron glance-scrubber\s+\/etc\/cron\.d\/glance-scrubber is missing/u);
  });
});

describe("a staging root", () => {
  it("gets the parents it lacks as the system makes them (0755); only Glance's own directories are 0750", () => {
    const root = newRoot();
    expect(apply(proposal("parents"), root).code).toBe(0);
    for (const parent of ["var", "var/lib", "var/log", "etc", "etc/glance"]) expect(statSync(join(root, parent)).mode & 0o777, parent).toBe(0o755);
    expect(statSync(join(root, "var/lib/glance")).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, "var/lib/glance-barclamp")).mode & 0o777).toBe(0o700);
  });
});
