/**
 * MySQL provisioning against a real MariaDB server started for this file: twice (the second run
 * changes nothing), grants checked with SHOW GRANTS, a wrong admin password, a server that is
 * down, a generated password that is kept, extra privileges revoked, the db sync lock.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVISION_LOCK, withMysqlLock } from "../../src/db/mysql-provision.js";
import { BarclampError } from "../../src/errors.js";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";
import { proposalWith, SWIFT_STORE } from "../helpers/proposals.js";
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
      inner = await withMysqlLock(target, "glance-barclamp-db-sync", 1, () => Promise.resolve("ran")).catch((error: unknown) => error);
    });
    expect(inner).toBeInstanceOf(BarclampError);
    expect((inner as BarclampError).code).toBe("mysql-locked");
    expect(await withMysqlLock(target, "glance-barclamp-db-sync", 1, () => Promise.resolve("ran"))).toBe("ran");
  });
});

describe("provisioning under the server's lock", () => {
  it("waits while another node holds it, then runs only what is still missing", async () => {
    const target = { instance: "db", host: "127.0.0.1", port: server.port, adminUser: server.adminUser, adminPassword: server.adminPassword, database: "glancedb7", user: "glance", password: PASSWORD, privileges: [] };
    let released = 0;
    let finished = 0;
    await withMysqlLock(target, PROVISION_LOCK, 5, async () => {
      const provision = runCliAsync(["db", "provision", proposal("glancedb7"), "-i", inventory(server.adminPassword), "--root", newRoot(), "--node", "n1"]).then((r) => {
        finished = Date.now();
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Still waiting: nothing was created while the lock was held.
      expect(server.sql("SHOW DATABASES LIKE 'glancedb7'")).not.toContain("glancedb7");
      released = Date.now();
      // Wrapped, so that the lock is released now rather than when the provisioning ends.
      return { provision };
    }).then(async ({ provision }) => {
      const result = await provision;
      expect(result.code, result.stderr).toBe(0);
    });
    expect(finished).toBeGreaterThan(released);
    expect(server.sql("SHOW DATABASES LIKE 'glancedb7'")).toContain("glancedb7");
  });
});

describe("secrets", () => {
  const SECRETS = {
    swift: "sw1ft-K3y$%'\"end",
    db: "db-Pa55w0rd/@:x",
    admin: "admin-pw-7Q",
    keystone: "k3ystone-service-pw",
  };
  const inventoryFile = () =>
    writeJson(join(work, "secret-inventory.json"), {
      mysql: { db: { host: "127.0.0.1", port: server.port, admin_user: server.adminUser, admin_password: server.adminPassword } },
      keystone: { ks: { host: "127.0.0.1", service_password: { env: "GB_TEST_KEYSTONE" } } },
    });
  const proposal = (swift: string) =>
    writeJson(
      join(work, `secret-${swift.length}.json`),
      proposalWith({ release: "zed", database: "mysql", mysql_database: "glancesecret", mysql_user: "glancesecret", use_keystone: true, ...SWIFT_STORE, swift_store_key: swift, mysql_password: { file: join(work, "db-password") } }),
    );
  writeFileSync(join(work, "db-password"), `${SECRETS.db}\n`);
  const env = { ...process.env, GB_TEST_KEYSTONE: SECRETS.keystone };
  const forms = (value: string): string[] => [value, encodeURIComponent(value), value.replaceAll("$", "$$"), value.replaceAll("%", "%%")];

  it("never appear in stdout, stderr, logs, plans or diffs, and their files are 0640", () => {
    const root = newRoot();
    const logFile = join(work, "apply.log");
    const outputs: string[] = [];
    const run = (args: string[]) => {
      const result = runCli(args, { env });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const common = ["-i", inventoryFile(), "--node", "n1"];
    const first = proposal(SECRETS.swift);
    expect(run(["plan", first, ...common, "--json"]).code).toBe(0);
    expect(run(["diff", first, ...common, "--root", root]).code).toBe(4);
    expect(run(["apply", first, ...common, "--root", root, "--log-file", logFile, "--json"]).code).toBe(0);
    expect(run(["apply", first, ...common, "--root", root, "--dry-run"]).code).toBe(0);
    // A changed secret: the diff must hide the old value as well as the new one.
    const second = proposal(`${SECRETS.swift}-rotated`);
    const rotated = run(["diff", second, ...common, "--root", root]);
    expect(rotated.code).toBe(4);
    expect(rotated.stdout).toContain("-key = ********\n+key = ********   [secret changed]\n");
    expect(run(["apply", second, ...common, "--root", root, "--log-file", logFile]).code).toBe(0);
    outputs.push(readFileSync(logFile, "utf8"));
    const everything = outputs.join("\n");
    for (const secret of Object.values(SECRETS)) for (const form of forms(secret)) expect(everything.includes(form), `${form} leaked`).toBe(false);
    // The files do hold them, readable by root and glance only.
    const swiftConf = join(root, "etc/glance/glance-swift.conf");
    expect(readFileSync(swiftConf, "utf8")).toContain(`key = ${SECRETS.swift.replaceAll("%", "%%")}-rotated\n`);
    expect(readFileSync(join(root, "etc/glance/glance-api.conf"), "utf8")).toContain(`connection = mysql+pymysql://glancesecret:${encodeURIComponent(SECRETS.db)}@127.0.0.1:${server.port}/glancesecret`);
    for (const path of [swiftConf, join(root, "etc/glance/glance-api.conf"), join(root, "etc/glance/glance-scrubber.conf")]) expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("stops before any change when a secret cannot be resolved", () => {
    const root = newRoot();
    const result = runCli(["apply", proposal(SECRETS.swift), "-i", inventoryFile(), "--node", "n1", "--root", root]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/error\[secret-unset\]: the password of the Glance Keystone user \(inventory field keystone\.\S+\.service_password, from the environment variable GB_TEST_KEYSTONE\): GB_TEST_KEYSTONE is not set/u);
    expect(readdirSync(root)).toEqual([]);
  });
});
