/**
 * End to end against the real Glance 25 from Debian 12, for SQLite and for MariaDB: apply a zed
 * proposal whose paths all lie in a temporary directory (root "/"), sync the schema with the real
 * glance-manage, start glance-api exactly as the rendered unit says (as its User, no systemd),
 * upload an image, list it with `index` (database and API), delete it, run every rendered cron
 * command, load every rendered file with the real oslo.config, verify, stop, and leave no process.
 *
 * It writes what apply writes on a node: /etc/cron.d/glance-*, /etc/systemd/system/glance-*.service
 * and /var/lib/glance-barclamp; afterAll removes them.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { requireGlanceManage } from "../helpers/glance-db.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";
import { writeJson, newRoot } from "../helpers/roots.js";
import { asGlance, cleanLive, freePort, holdLiveRoot, startApi, stopApi } from "../helpers/glance-api.js";

let mariadb: MariaDb;
let releaseLiveRoot: (() => void) | undefined;
beforeAll(async () => {
  requireGlanceManage();
  releaseLiveRoot = await holdLiveRoot();
  cleanLive();
  mariadb = await startMariaDb();
}, 60_000);
afterAll(async () => {
  cleanLive();
  releaseLiveRoot?.();
  await mariadb?.stop();
});

const workers = (database: "sqlite" | "mysql"): number => (database === "sqlite" ? 3 : 2);

interface Deployment {
  dir: string;
  proposal: string;
  inventory: string;
  port: number;
}

const deploy = async (database: "sqlite" | "mysql"): Promise<Deployment> => {
  const dir = newRoot(`gb-glance-e2e-${database}-`);
  // The glance user must reach everything below it.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const service = (name: string) => ({ log_file: `${dir}/log/${name}.log`, config_file: `${dir}/etc/glance-${name}.conf` });
  const proposal = writeJson(join(dir, "proposal.json"), {
    id: `bc-glance-e2e-${database}`,
    attributes: {
      glance: {
        release: "zed",
        database,
        mysql_database: "glance_e2e",
        use_keystone: false,
        enable_caching: true,
        working_directory: `${dir}/lib`,
        pid_directory: `${dir}/run`,
        filesystem_store_datadir: `${dir}/lib/images`,
        image_cache_datadir: `${dir}/lib/cache`,
        sqlite_connection: `sqlite:///${dir}/lib/glance.sqlite`,
        // Options the proposal does not model, passed through and checked against the catalogue:
        // 3 workers on SQLite (this machine's default is its 2 cores), 2 on MySQL.
        api: { ...service("api"), bind_open_address: false, bind_port: port, extra_config: { DEFAULT: { workers: workers(database), max_header_line: 32768 }, oslo_policy: { enforce_scope: false } } },
        scrubber: { ...service("scrubber"), extra_config: { DEFAULT: { wakeup_time: 600 } } },
        reaper: service("reaper"),
        pruner: service("pruner"),
        prefetcher: service("prefetcher"),
      },
    },
    deployment: { glance: { elements: { "glance-server": ["e2e"] } } },
  });
  const inventory = writeJson(join(dir, "inventory.json"), {
    nodes: { e2e: { admin_address: "127.0.0.1" } },
    ...(database === "mysql"
      ? { mysql: { db: { host: "127.0.0.1", port: mariadb.port, admin_user: mariadb.adminUser, admin_password: mariadb.adminPassword } } }
      : {}),
  });
  return { dir, proposal, inventory, port };
};

const cli = (d: Deployment, ...args: string[]) => runCli([...args, d.proposal, "-i", d.inventory, "--node", "e2e"]);

const ZED_NAMESPACES: Record<string, string[]> = {
  api: ["glance.api", "glance.store", "glance.multi_store", "oslo.db", "oslo.log", "oslo.messaging", "oslo.policy", "keystonemiddleware.auth_token", "oslo.middleware.healthcheck"],
  scrubber: ["glance.scrubber", "glance.store", "glance.multi_store", "oslo.db", "oslo.log", "oslo.policy"],
  cache: ["glance.cache", "glance.store", "glance.multi_store", "oslo.db", "oslo.log", "oslo.policy"],
};

describe.each(["sqlite", "mysql"] as const)("the real Glance 25 with %s", (database) => {
  let d: Deployment;
  let api: ChildProcess | undefined;
  beforeAll(async () => {
    d = await deploy(database);
  });
  afterAll(async () => {
    if (api?.exitCode === null) await stopApi(api);
    cleanLive();
    rmSync(d.dir, { recursive: true, force: true });
  });

  it("deploys, serves, lists, deletes, runs the periodic tools, verifies, and stops cleanly", async () => {
    const applied = cli(d, "apply");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/run\s+schema sync/u);
    // apply migrated the schema: db sync runs glance-manage again, which has nothing to do, and --json says so.
    const migrationsOf = (result: { stdout: string }) => (JSON.parse(result.stdout) as { migrations: { ran: boolean; from: string | null; to: string | null } }).migrations;
    const again = cli(d, "db", "sync", "--json");
    expect(again.code, again.stderr).toBe(0);
    expect(migrationsOf(again)).toMatchObject({ ran: false, from: expect.stringMatching(/\S/u) as unknown });
    expect(migrationsOf(again).to).toBe(migrationsOf(again).from);
    // On an empty database it migrates, and says from where to where.
    if (database === "sqlite") rmSync(`${d.dir}/lib/glance.sqlite`);
    else mariadb.sql("DROP DATABASE glance_e2e");
    const synced = cli(d, "db", "sync");
    expect(synced.code, synced.stderr + synced.stdout).toBe(0);
    expect(synced.stdout).toMatch(/run\s+schema sync/u);
    expect(synced.stdout).toContain(`migrations: ran, from an empty database to ${migrationsOf(again).to ?? ""}`);
    const status = cli(d, "db", "status");
    expect(status.stdout).toMatch(/schema: {3}current \(visibility\), alembic at /u);

    api = await startApi(d);
    // glance-api's parent and one process per worker extra_config asked for.
    const processes = (): number => spawnSync("pgrep", ["-f", `glance-api --config-file ${d.dir}/etc/glance-api.conf`], { encoding: "utf8" }).stdout.trim().split("\n").length;
    for (let i = 0; i < 20 && processes() < workers(database) + 1; i++) await new Promise((r) => setTimeout(r, 250));
    expect(processes()).toBe(workers(database) + 1);
    const verified = cli(d, "verify");
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/PASS\s+api\s+http:\/\/127\.0\.0\.1:\d+: \/versions \d+, \/v2\/images\?limit=1 200/u);
    expect(verified.stdout).toMatch(/PASS\s+database\s+alembic at /u);

    // Upload through the v2 API, as the glance client does.
    const base = `http://127.0.0.1:${d.port}`;
    const created = (await (await fetch(`${base}/v2/images`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "cirros, \"e2e\"", disk_format: "qcow2", container_format: "bare" }) })).json()) as { id: string };
    const data = randomBytes(200_000);
    const put = await fetch(`${base}/v2/images/${created.id}/file`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: data });
    expect(put.status).toBe(204);
    const checksum = createHash("md5").update(data).digest("hex");

    const listed = cli(d, "index", "-f", "json");
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: created.id, name: 'cirros, "e2e"', size: 200_000, checksum, status: "active" })]);
    const remote = runCli(["index", "-H", "127.0.0.1", "-p", String(d.port), "-A", "unused", "-f", "json"]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual([expect.objectContaining({ id: created.id, size: 200_000, checksum })]);

    expect((await fetch(`${base}/v2/images/${created.id}`, { method: "DELETE" })).status).toBe(204);
    expect(JSON.parse(cli(d, "index", "-f", "json").stdout)).toEqual([]);
    expect(JSON.parse(cli(d, "index", "-f", "json", "--all").stdout)).toEqual([expect.objectContaining({ id: created.id, status: "deleted", deleted: true })]);

    // Every rendered cron command, as the glance user, with its rendered config.
    const cronFiles = readdirSync("/etc/cron.d").filter((f) => f.startsWith("glance-"));
    expect(cronFiles.sort()).toEqual(["glance-prefetcher", "glance-pruner", "glance-reaper", "glance-scrubber"]);
    for (const file of cronFiles) {
      const line = readFileSync(`/etc/cron.d/${file}`, "utf8").split("\n").find((l) => / glance \//u.test(l)) ?? "";
      const command = line.slice(line.indexOf(" glance ") + " glance ".length).split(" ");
      const result = spawnSync(asGlance(command)[0] as string, asGlance(command).slice(1), { encoding: "utf8", timeout: 120_000 });
      expect(result.status, `${file}: ${result.stderr}`).toBe(0);
    }

    // Every rendered file read by the real oslo.config: no unknown option in its static sections.
    for (const [kind, files] of Object.entries({ api: ["api"], scrubber: ["scrubber"], cache: ["reaper", "pruner", "prefetcher"] })) {
      for (const name of files) {
        const args = (ZED_NAMESPACES[kind] ?? []).flatMap((ns) => ["--namespace", ns]);
        const result = spawnSync(
          "oslo-config-validator",
          [...args, "--exclude-group", "file", "--exclude-group", "os_glance_staging_store", "--exclude-group", "os_glance_tasks_store", "--input-file", `${d.dir}/etc/glance-${name}.conf`],
          { encoding: "utf8" },
        );
        // The scrubber and the cache tools import enabled_backends from glance.common.wsgi
        // (glance/cmd/scrubber.py:90, cache_prefetcher.py:51), outside their generator namespaces;
        // they ran with it above.
        const allowed = kind === "api" ? [] : ["ERROR:root:DEFAULT/enabled_backends is not part of the sample config"];
        const errors = result.stderr.split("\n").filter((l) => l.startsWith("ERROR"));
        expect(errors.filter((l) => !allowed.includes(l)), name).toEqual([]);
        expect(result.status, result.stderr).toBe(errors.length === 0 ? 0 : 1);
      }
    }

    await stopApi(api);
    const failing = cli(d, "verify");
    expect(failing.code).toBe(5);
    expect(failing.stdout).toMatch(/FAIL\s+api\s+http:\/\/127\.0\.0\.1:\d+\/versions: ECONNREFUSED/u);
    expect(spawnSync("pgrep", ["-f", d.dir]).status).toBe(1);
  }, 300_000);
});
