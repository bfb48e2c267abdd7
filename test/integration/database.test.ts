/**
 * MySQL provisioning against a real MariaDB server started for this file: twice (the second run
 * changes nothing), grants checked with SHOW GRANTS, a wrong admin password, a server that is
 * down, a generated password that is kept, extra privileges revoked, the db sync lock.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withMysqlLock } from "../../src/db/mysql-provision.js";
import { BarclampError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";
import { proposalWith } from "../helpers/proposals.js";
import { newRoot, writeJson } from "../helpers/roots.js";

let server: MariaDb;
const work = newRoot("gb-db-inputs-");
const PASSWORD = "glance-Pw/1@x%";

beforeAll(async () => {
  server = await startMariaDb();
}, 60_000);
afterAll(async () => server?.stop());

const inventory = (adminPassword: string) =>
  writeJson(join(work, `inventory-${adminPassword.length}.json`), {
    mysql: { db: { host: "127.0.0.1", port: server.port, admin_user: server.adminUser, admin_password: adminPassword } },
  });

const proposal = (name: string, glance: Record<string, unknown> = {}) =>
  writeJson(join(work, `${name}.json`), proposalWith({ release: "zed", database: "mysql", mysql_database: name, mysql_password: PASSWORD, ...glance }));

const grantsOf = (user: string) =>
  server
    .sql(`SHOW GRANTS FOR '${user}'@'%'`)
    .split("\n")
    .filter((line) => line.includes(" ON `"))
    .map((line) => line.replace(/ IDENTIFIED BY PASSWORD '[^']*'/u, ""));

describe("MySQL provisioning", () => {
  it("creates database, user and exactly the 2011 grants; a second run changes nothing", () => {
    const file = proposal("glancedb");
    const inv = inventory(server.adminPassword);
    const first = runCli(["db", "provision", file, "-i", inv, "--root", newRoot(), "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const details = (JSON.parse(first.stdout) as { changes: Array<{ kind: string; action: string; details: string[] }> }).changes.find((c) => c.kind === "database");
    expect(details?.action).toBe("create");
    expect(details?.details).toEqual([
      "create database glancedb",
      "create user glance@%",
      "grant SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER on glancedb",
    ]);
    expect(grantsOf("glance")).toEqual(["GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `glancedb`.* TO `glance`@`%`"]);
    // The Glance user logs in with the proposal's password.
    expect(runCli(["db", "status", "--connection", `mysql://glance:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/glancedb`]).stderr).toContain("no images table");
    const second = runCli(["db", "provision", file, "-i", inv, "--root", newRoot(), "--json"]);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { changes: Array<{ kind: string; action: string }> }).changes.find((c) => c.kind === "database")?.action).toBe("unchanged");
    expect(`${first.stdout}${first.stderr}${second.stdout}${second.stderr}`).not.toContain(PASSWORD);
  });

  it("revokes privileges beyond the 2011 set and resets a changed password", () => {
    const file = proposal("glancedb2", { mysql_user: "glance2" });
    const inv = inventory(server.adminPassword);
    expect(runCli(["db", "provision", file, "-i", inv, "--root", newRoot()]).code).toBe(0);
    server.sql("GRANT ALL PRIVILEGES ON glancedb2.* TO 'glance2'@'%'; ALTER USER 'glance2'@'%' IDENTIFIED BY 'other';");
    const again = runCli(["db", "provision", file, "-i", inv, "--root", newRoot()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("set the password of glance2@%");
    expect(again.stdout).toContain("revoke ALL PRIVILEGES on glancedb2");
    expect(grantsOf("glance2")).toEqual(["GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `glancedb2`.* TO `glance2`@`%`"]);
  });

  it("generates the password once and never regenerates it", () => {
    const file = writeJson(join(work, "generated.json"), proposalWith({ release: "zed", database: "mysql", mysql_database: "glancegen", mysql_user: "glancegen" }));
    const inv = inventory(server.adminPassword);
    const root = newRoot();
    expect(runCli(["apply", file, "-i", inv, "--root", root, "--node", "n1"]).code).toBe(0);
    const second = runCli(["apply", file, "-i", inv, "--root", root, "--node", "n1", "--json"]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/"action": "(create|update|remove)"/u);
    const status = runCli(["db", "status", file, "-i", inv, "--root", root, "--node", "n1"]);
    expect(status.stderr).toContain("no images table");
  });

  it("names host and port, never the password, when the admin password is wrong; nothing is changed", () => {
    const root = newRoot();
    const result = runCli(["apply", proposal("glancedb3"), "-i", inventory("wrong-admin-secret"), "--root", root, "--node", "n1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error[db-access-denied]: MySQL instance db at 127.0.0.1:${server.port} refused the admin user admin: access denied`);
    expect(`${result.stdout}${result.stderr}`).not.toContain("wrong-admin-secret");
    // Inspection connects before any change: no file was written.
    expect(readdirSync(root).filter((entry) => entry !== "var")).toEqual([]);
    expect(existsSync(join(root, "etc"))).toBe(false);
  });

  it("stops before any change when the server is down", async () => {
    await server.halt();
    try {
      const root = newRoot();
      const result = runCli(["apply", proposal("glancedb4"), "-i", inventory(server.adminPassword), "--root", root, "--node", "n1"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error[db-unreachable]: cannot reach MySQL instance db at 127.0.0.1:${server.port}: ECONNREFUSED`);
      expect(existsSync(join(root, "etc"))).toBe(false);
    } finally {
      await server.start();
    }
  });

  it("prints the provisioning SQL with the password masked", () => {
    const result = runCli(["db", "provision", proposal("glancedb5"), "-i", inventory(server.adminPassword), "--print-sql"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "CREATE DATABASE IF NOT EXISTS `glancedb5` CHARACTER SET utf8mb4;\nCREATE USER IF NOT EXISTS 'glance'@'%' IDENTIFIED BY '********';\nGRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `glancedb5`.* TO 'glance'@'%';\n",
    );
  });

  it("reports, and keeps, the SQLite file a node leaves for MySQL", () => {
    const root = newRoot();
    const sqliteProposal = writeJson(join(work, "was-sqlite.json"), proposalWith({ release: "zed", database: "sqlite" }));
    expect(runCli(["apply", sqliteProposal, "--root", root, "--node", "n1"]).code).toBe(0);
    writeFileSync(join(root, "var/lib/glance/glance.sqlite"), "data");
    const moved = runCli(["apply", proposal("glancedb6"), "-i", inventory(server.adminPassword), "--root", root, "--node", "n1"]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain("the SQLite database /var/lib/glance/glance.sqlite is kept as it was (no longer used)");
    expect(existsSync(join(root, "var/lib/glance/glance.sqlite"))).toBe(true);
  });

  it("serialises schema syncs with a server-wide lock", async () => {
    const target = {
      instance: "db",
      host: "127.0.0.1",
      port: server.port,
      adminUser: server.adminUser,
      adminPassword: server.adminPassword,
      database: "glancedb",
      user: "glance",
      password: PASSWORD,
      privileges: [],
    };
    let inner: unknown;
    await withMysqlLock(target, "glance-barclamp-db-sync", 5, async () => {
      inner = await withMysqlLock(target, "glance-barclamp-db-sync", 1, async () => "ran").catch((error: unknown) => error);
    });
    expect(inner).toBeInstanceOf(BarclampError);
    expect((inner as BarclampError).code).toBe("db-sync-locked");
    expect(await withMysqlLock(target, "glance-barclamp-db-sync", 1, async () => "ran")).toBe("ran");
  });
});
