/**
 * The preview (diff, apply --dry-run): with the secrets unset and MySQL unreachable it still shows
 * every file's diff, masked, says what it could not inspect and stood in for, exits 4 (diff) or 0
 * (dry run), and writes nothing. apply itself still refuses both, before any change.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/glance-api.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, snapshot, writeJson } from "../helpers/roots.js";

const work = newRoot("gb-preview-");

describe("previews without secrets or servers", () => {
  it("diff and apply --dry-run show the same masked diffs and notes, exit 4 and 0, and write nothing", async () => {
    const port = await freePort();
    const inventory = writeJson(join(work, "site.inventory.json"), {
      nodes: { n1: { admin_address: "127.0.0.1" } },
      mysql: { db1: { host: "127.0.0.1", port, admin_user: "root", admin_password: { env: "GB_PREVIEW_ADMIN" } } },
    });
    const proposal = writeJson(join(work, "p.json"), proposalWith({ release: "zed", database: "mysql", mysql_password: { env: "GB_PREVIEW_DB" } }, { "glance-server": ["n1"] }));
    const root = newRoot();
    const before = snapshot(root);
    const env = { ...process.env, GB_PREVIEW_ADMIN: undefined, GB_PREVIEW_DB: undefined, NO_COLOR: "1" };
    const args = [proposal, "-i", inventory, "--root", root, "--node", "n1"];
    const diff = runCli(["diff", ...args], { env });
    expect(diff.code, diff.stderr).toBe(4);
    expect(diff.stdout).toContain("+connection = mysql+pymysql://glance:********@127.0.0.1:");
    expect(diff.stdout).toContain("note: the password of the Glance MySQL user (proposal field attributes.glance.mysql_password, from the environment variable GB_PREVIEW_DB): GB_PREVIEW_DB is not set: shown masked");
    expect(diff.stdout).toMatch(new RegExp(`database mysql://127\\.0\\.0\\.1:${port}/glancedb: not inspected: .*127\\.0\\.0\\.1:${port}`, "u"));
    // The stand-in is masked like the secret it stands for.
    expect(diff.stdout).not.toContain("(unresolved");
    const dry = runCli(["apply", ...args, "--dry-run"], { env });
    expect(dry.code, dry.stderr).toBe(0);
    // The same preview: only the exit code differs.
    expect(dry.stdout).toBe(diff.stdout);
    expect(snapshot(root)).toEqual(before);
    // apply itself refuses an unset secret before any change.
    const applied = runCli(["apply", ...args], { env });
    expect(applied.code).toBe(6);
    expect(snapshot(root)).toEqual(before);
  });
});
