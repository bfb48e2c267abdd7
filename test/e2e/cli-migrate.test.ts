/** glance-barclamp proposal migrate, spawned as an operator runs it. */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/paths.js";
import { newRoot } from "../helpers/roots.js";

const R302 = join(FIXTURES, "crowbar/crowbar-openstack-r302.json");
const SECRETS = ["memcache-secret-302", "db-secret-4711"];

describe("glance-barclamp proposal migrate --json", () => {
  it("reports what it wrote, its warnings and notes, and the proposal when it goes to stdout", () => {
    const result = runCli(["proposal", "migrate", R302, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { report_version: number; changed: boolean; written: string | null; warnings: Array<{ code: string }>; notes: string[]; proposal?: { attributes: { glance: { release: string } } } };
    expect(report).toMatchObject({ report_version: 1, changed: true, written: null });
    expect(report.proposal?.attributes.glance.release).toBe("zed");
    expect(report.warnings.map((w) => w.code)).toContain("migrate-dropped");
    expect(report.notes.join("\n")).toContain("schema revision 302");
    expect(result.stderr).toBe("");
    const out = join(newRoot("gb-migrate-json-"), "new.json");
    const written = JSON.parse(runCli(["proposal", "migrate", R302, "--out", out, "--json"]).stdout) as { written: string; proposal?: unknown };
    expect(written.written).toBe(out);
    expect(written.proposal).toBeUndefined();
    expect(existsSync(out)).toBe(true);
  });
});

describe("glance-barclamp proposal migrate", () => {
  it("prints the migrated proposal on stdout, what it did on stderr, and no secret in a message", () => {
    const result = runCli(["proposal", "migrate", R302]);
    expect(result.code).toBe(0);
    const proposal = JSON.parse(result.stdout) as { attributes: { glance: { release: string; mysql_password: string } } };
    expect(proposal.attributes.glance.release).toBe("zed");
    // Secrets carry over as they are, in the proposal itself.
    expect(proposal.attributes.glance.mysql_password).toBe("db-secret-4711");
    expect(result.stderr).toContain("note: read as a crowbar-openstack proposal of schema revision 302");
    expect(result.stderr).toContain("note: release zed:");
    expect(result.stderr).toMatch(/crowbar-openstack-r302\.json:\d+:\d+: warning attributes\.glance\.rabbitmq_instance: rabbitmq_instance is dropped/u);
    for (const secret of SECRETS) expect(result.stderr).not.toContain(secret);
  });

  it("writes --out, which validates and migrates to itself", () => {
    const out = join(newRoot("gb-migrate-"), "new.json");
    expect(runCli(["proposal", "migrate", R302, "--out", out]).code).toBe(0);
    expect(runCli(["validate", out]).code).toBe(0);
    const again = runCli(["proposal", "migrate", out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(readFileSync(out, "utf8"));
  });

  it("--in-place keeps the original as FILE.bak", () => {
    const file = join(newRoot("gb-migrate-"), "p.json");
    copyFileSync(R302, file);
    const result = runCli(["proposal", "migrate", file, "--in-place"]);
    expect(result.code).toBe(0);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe(readFileSync(R302, "utf8"));
    expect(runCli(["validate", file]).code).toBe(0);
    expect(runCli(["proposal", "migrate", file, "--in-place"]).stderr).toContain("nothing written");
    expect(existsSync(`${file}.bak.1`)).toBe(false);
  });

  it("refuses what cannot be deployed with exit 3, writing nothing", () => {
    const dir = newRoot("gb-migrate-");
    const file = join(dir, "rbd.json");
    const proposal = JSON.parse(readFileSync(R302, "utf8")) as { attributes: { glance: Record<string, unknown> } };
    proposal.attributes.glance.default_store = "rbd";
    writeFileSync(file, JSON.stringify(proposal, null, 2));
    const before = readFileSync(file, "utf8");
    for (const target of [["--out", join(dir, "out.json")], ["--in-place"]]) {
      const result = runCli(["proposal", "migrate", file, ...target]);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/rbd\.json:\d+:\d+: error attributes\.glance\.rbd: rbd: in Crowbar it kept the images in Ceph RBD; glance-barclamp deploys the file and Swift stores only \[migrate-refused\]/u);
      for (const secret of SECRETS) expect(result.stderr).not.toContain(secret);
    }
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(existsSync(join(dir, "out.json"))).toBe(false);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  it("takes the release from --release", () => {
    const result = runCli(["proposal", "migrate", R302, "--release", "diablo"]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { attributes: { glance: { release: string } } }).attributes.glance.release).toBe("diablo");
    expect(result.stderr).not.toContain("note: release");
    expect(runCli(["proposal", "migrate", R302, "--release", "folsom"]).code).toBe(2);
  });
});
