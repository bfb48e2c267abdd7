/**
 * The Ansible collection's playbook on three nodes, each with its own staging root, sharing a real
 * MariaDB: Ansible's local connection first (the playbook's logic: check mode, run order, serial,
 * idempotence, secrets), then the same playbook over real SSH to loopback addresses.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { ansibleEnv, readCalls, requireAnsible, runPlaybook, startSshd, writeLoggingCli, type PlayResult, type Sshd } from "../helpers/ansible.js";
import { runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/glance-api.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";
import { CLI, REPO } from "../helpers/paths.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const NODES = { node1: "127.0.0.11", node2: "127.0.0.12", node3: "127.0.0.13" } as const;
type NodeName = keyof typeof NODES;
const NAMES = Object.keys(NODES) as NodeName[];
const SECRETS = { GB_DB_PASSWORD: "db-Pa55/w0rd@ansible", GB_SWIFT_KEY: "sw1ft-k3y$%#ansible", GB_MYSQL_ADMIN: "" };

let mariadb: MariaDb;
beforeAll(async () => {
  requireAnsible();
  mariadb = await startMariaDb();
  SECRETS.GB_MYSQL_ADMIN = mariadb.adminPassword;
}, 60_000);
afterAll(async () => mariadb?.stop());

interface Site {
  dir: string;
  roots: Record<NodeName, string>;
  hosts: string;
  vars: string;
  log: string;
  breakFlag: (node: string) => string;
  database: string;
}

/** The proposal, the site's inventory, Ansible's inventory from `ansible-inventory`, and the play's variables. */
const site = (database: string, connection: (node: NodeName) => Record<string, unknown>): Site => {
  const dir = newRoot("gb-ansible-");
  const proposal = writeJson(join(dir, "proposal.json"), {
    id: "bc-glance-fleet",
    attributes: {
      glance: {
        release: "zed",
        database: "mysql",
        mysql_database: database,
        mysql_password: { env: "GB_DB_PASSWORD" },
        use_keystone: false,
        enable_caching: true,
        default_store: "swift",
        swift_store_auth_address: "http://127.0.0.1:8080/auth/v1.0",
        swift_store_user: "glance:glance",
        swift_store_key: { env: "GB_SWIFT_KEY" },
        api: { bind_open_address: false },
      },
    },
    deployment: { glance: { elements: { "glance-server": NAMES } } },
  });
  const inventory = writeJson(join(dir, "site.inventory.json"), {
    nodes: Object.fromEntries(NAMES.map((n) => [n, { admin_address: NODES[n] }])),
    mysql: { db1: { host: "127.0.0.1", port: mariadb.port, admin_user: mariadb.adminUser, admin_password: { env: "GB_MYSQL_ADMIN" } } },
  });
  const printed = runCli(["ansible-inventory", proposal, "-i", inventory]);
  expect(printed.code, printed.stderr).toBe(0);
  const hosts = JSON.parse(printed.stdout) as { all: { children: { glance_server: { hosts: Record<string, Record<string, unknown>> } } } };
  const roots = Object.fromEntries(NAMES.map((n) => [n, join(dir, `root-${n}`)])) as Record<NodeName, string>;
  for (const node of NAMES) {
    mkdirSync(roots[node]);
    Object.assign(hosts.all.children.glance_server.hosts[node] ?? {}, { glance_barclamp_root: roots[node], ...connection(node) });
  }
  const cli = writeLoggingCli(dir, CLI);
  return {
    dir,
    roots,
    hosts: writeJson(join(dir, "hosts.json"), hosts),
    vars: writeJson(join(dir, "vars.json"), {
      glance_barclamp_proposal: proposal,
      glance_barclamp_inventory: inventory,
      glance_barclamp_cli: cli.command,
      glance_barclamp_secrets: SECRETS,
    }),
    log: cli.log,
    breakFlag: cli.breakFlag,
    database,
  };
};

const play = (s: Site, ...args: string[]) => runPlaybook(s.dir, ["-i", s.hosts, "-e", `@${s.vars}`, ...args]);
const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...ansibleEnv(cwd), ...env } });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
};
const changed = (result: PlayResult): Record<string, number> => Object.fromEntries(NAMES.map((n) => [n, result.recap[n]?.changed ?? -1]));
const databases = () => mariadb.sql("SHOW DATABASES");
const noSecretIn = (text: string) => {
  for (const [name, value] of Object.entries(SECRETS)) expect(text.includes(value), `${name} in the output`).toBe(false);
};

describe("deploy.yml on three local hosts", () => {
  let s: Site;
  const outputs: string[] = [];
  beforeAll(() => {
    s = site("glance_fleet", () => ({ ansible_connection: "local" }));
  });
  afterAll(() => noSecretIn(outputs.join("\n")));

  it("check mode on empty roots reports the changes, writes nothing and leaves the database alone", async () => {
    const result = await play(s, "--check", "--diff");
    outputs.push(result.output);
    expect(result.code, result.output).toBe(0);
    for (const node of NAMES) expect(readdirSync(s.roots[node]), node).toEqual([]);
    expect(databases()).not.toContain(s.database);
    for (const node of NAMES) expect(result.recap[node], node).toMatchObject({ failed: 0, changed: expect.any(Number) as unknown });
    for (const node of NAMES) expect(changed(result)[node], node).toBeGreaterThan(0);
    // --diff shows each node's own rendering, secrets masked.
    for (const node of NAMES) expect(result.output).toContain(`+bind_host = ${NODES[node]}`);
  });

  it("deploys: the database once with the 2011 grants, each node bound to its address, the scrubber on one node, in order", async () => {
    rmSync(s.log, { force: true });
    const result = await play(s, "--diff");
    outputs.push(result.output);
    expect(result.code, result.output).toBe(0);
    expect(databases()).toContain(s.database);
    const grants = mariadb.sql("SHOW GRANTS FOR 'glance'@'%'").split("\n").filter((l) => l.includes(" ON `"));
    expect(grants).toEqual([`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON \`${s.database}\`.* TO \`glance\`@\`%\``]);
    const calls = readCalls(s.log);
    // Validation on every node before anything changes; provisioning on the first server only.
    const firstChange = calls.findIndex((c) => c.command !== "validate");
    expect(calls.slice(0, firstChange).filter((c) => c.event === "start").map((c) => c.node).length).toBe(3);
    expect(calls.filter((c) => c.command === "db-provision" && c.event === "start").map((c) => c.node)).toEqual(["node1"]);
    // serial 1: node1 applied and verified before node2's apply started, node2 before node3.
    const at = (command: string, node: string, event: "start" | "end") => calls.find((c) => c.command === command && c.node === node && c.event === event)?.at ?? -1n;
    expect(at("verify", "node1", "end")).toBeLessThan(at("apply", "node2", "start"));
    expect(at("verify", "node2", "end")).toBeLessThan(at("apply", "node3", "start"));
    for (const node of NAMES) {
      expect(readFileSync(join(s.roots[node], "etc/glance/glance-api.conf"), "utf8"), node).toContain(`bind_host = ${NODES[node]}`);
      expect(existsSync(join(s.roots[node], "etc/cron.d/glance-scrubber")), node).toBe(node === "node1");
      expect(existsSync(join(s.roots[node], "etc/cron.d/glance-pruner")), node).toBe(true);
    }
  });

  it("a re-run reports changed=0 on every host, even with -vvv, and prints no secret", async () => {
    const result = await play(s, "-vvv");
    outputs.push(result.output);
    expect(result.code, result.output.slice(-3000)).toBe(0);
    expect(changed(result)).toEqual({ node1: 0, node2: 0, node3: 0 });
    expect(result.output).toContain("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER");
  });

  it("runs as a collection: built by ansible-galaxy, installed, its playbook called by name", async () => {
    const dir = join(s.dir, "collection");
    mkdirSync(dir);
    const built = run("ansible-galaxy", ["collection", "build", join(REPO, "ansible"), "--output-path", dir], dir);
    expect(built.code, built.output).toBe(0);
    const installed = run("ansible-galaxy", ["collection", "install", join(dir, "barclamp-glance-0.1.0.tar.gz"), "-p", join(dir, "collections")], dir);
    expect(installed.code, installed.output).toBe(0);
    const collections = { ANSIBLE_COLLECTIONS_PATH: join(dir, "collections") };
    // Its documentation parses (ansible-doc reads the module's DOCUMENTATION).
    const doc = run("ansible-doc", ["--json", "-t", "module", "barclamp.glance.glance_barclamp"], dir, collections);
    expect(doc.code, doc.output).toBe(0);
    expect(Object.keys((JSON.parse(doc.output) as Record<string, { doc: { options: object } }>)["barclamp.glance.glance_barclamp"]?.doc.options ?? {})).toContain("secrets");
    const result = await runPlaybook(s.dir, ["-i", s.hosts, "-e", `@${s.vars}`, "--check"], { playbook: "barclamp.glance.deploy", env: collections });
    expect(result.code, result.output).toBe(0);
    expect(changed(result)).toEqual({ node1: 0, node2: 0, node3: 0 });
  });

  it("reports a hand edit on that node only, and mends it", async () => {
    appendFileSync(join(s.roots.node2, "etc/glance/glance-api.conf"), "# hand edit\n");
    const checked = await play(s, "--check", "--diff");
    outputs.push(checked.output);
    expect(checked.code).toBe(0);
    expect(changed(checked)).toEqual({ node1: 0, node2: 1, node3: 0 });
    expect(checked.output).toContain("-# hand edit");
    expect(readFileSync(join(s.roots.node2, "etc/glance/glance-api.conf"), "utf8")).toContain("# hand edit");
    const mended = await play(s);
    outputs.push(mended.output);
    expect(changed(mended)).toEqual({ node1: 0, node2: 1, node3: 0 });
    expect(readFileSync(join(s.roots.node2, "etc/glance/glance-api.conf"), "utf8")).not.toContain("# hand edit");
  });

  it("stops the rollout when verify fails on node2: node3 is not touched", async () => {
    rmSync(s.log, { force: true });
    writeFileSync(s.breakFlag("node2"), "");
    const result = await play(s);
    outputs.push(result.output);
    rmSync(s.breakFlag("node2"));
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/verify failed: files: pending: update \/etc\/glance\/glance-api\.conf/u);
    expect(result.recap.node2).toMatchObject({ failed: 1 });
    const node3 = readCalls(s.log).filter((c) => c.node === "node3").map((c) => c.command);
    expect(node3).not.toContain("apply");
    expect(node3).not.toContain("verify");
  });
});

describe("deploy.yml refuses before any change", () => {
  it("on a node whose Node.js is older than the CLI needs, saying what to install", async () => {
    const s = site("glance_old_node", () => ({ ansible_connection: "local" }));
    const old = join(s.dir, "node18");
    writeFileSync(old, "#!/bin/sh\necho v18.20.4\n", { mode: 0o755 });
    const result = await play(s, "-e", `glance_barclamp_nodejs=${old}`);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("glance-barclamp needs Node.js 20.11 or later on node1 (found: v18.20.4)");
    expect(existsSync(s.log)).toBe(false);
    for (const node of NAMES) expect(readdirSync(s.roots[node])).toEqual([]);
  });

  it("on an invalid proposal: every node validates it, nothing is provisioned or applied", async () => {
    const s = site("glance_invalid", () => ({ ansible_connection: "local" }));
    const bad = writeJson(join(s.dir, "bad.json"), { id: "bc-glance-bad", attributes: { glance: { release: "zed", bind_prot: 1 } }, deployment: { glance: { elements: { "glance-server": NAMES } } } });
    const result = await play(s, "-e", `glance_barclamp_proposal=${bad}`);
    expect(result.code).not.toBe(0);
    // The message names the controller's file and the position in it, not the node's private copy.
    expect(result.output).toContain(`${bad}:6:7: attributes.glance.bind_prot`);
    expect(result.output).not.toContain("ansible-tmp");
    expect(result.output).toContain('attributes.glance.bind_prot: unknown key \\"bind_prot\\"');
    expect(new Set(readCalls(s.log).map((c) => c.command))).toEqual(new Set(["validate"]));
    expect(databases()).not.toContain("glance_invalid");
    for (const node of NAMES) expect(readdirSync(s.roots[node])).toEqual([]);
  });
});

describe("deploy.yml with glance_barclamp_package", () => {
  it("installs the npm pack tarball where the CLI's version differs, and only there", async () => {
    const s = site("glance_package", () => ({ ansible_connection: "local" }));
    const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", s.dir], { cwd: REPO, encoding: "utf8" });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = join(s.dir, packed.stdout.trim().split("\n").pop() ?? "");
    // npm installs into a prefix of the test's own (the local connection passes the environment on).
    const prefix = join(s.dir, "prefix");
    // npm as the user running the tests has it (config, cache that npm ci just filled, the network's CA);
    // better-sqlite3 is still built for this machine (about 90 s on 2 cores).
    const passed = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(?:NODE_EXTRA_CA_CERTS|https?_proxy|no_proxy)$/iu.test(name)));
    const env = { ...passed, NPM_CONFIG_USERCONFIG: join(homedir(), ".npmrc"), NPM_CONFIG_PREFIX: prefix, NPM_CONFIG_CACHE: join(homedir(), ".npm"), NPM_CONFIG_UPDATE_NOTIFIER: "false" };
    const args = ["-i", s.hosts, "-e", `@${s.vars}`, "-e", `glance_barclamp_package=${tarball}`, "-e", `glance_barclamp_cli=${join(prefix, "bin/glance-barclamp")}`, "--limit", "node1"];
    const first = await runPlaybook(s.dir, args, { env });
    expect(first.code, first.output.slice(-4000)).toBe(0);
    expect(first.output).toMatch(/TASK \[Install it with npm\] \*+\nchanged: \[node1\]/u);
    expect(spawnSync(join(prefix, "bin/glance-barclamp"), ["--version"], { encoding: "utf8" }).stdout.trim()).toBe("0.1.0");
    const second = await runPlaybook(s.dir, args, { env });
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/TASK \[Install it with npm\] \*+\nskipping: \[node1\]/u);
    expect(second.recap.node1?.changed).toBe(0);
  }, 480_000);
});

describe("deploy.yml over SSH", () => {
  let s: Site;
  let sshd: Sshd;
  beforeAll(async () => {
    const port = await freePort();
    const dir = newRoot("gb-sshd-");
    sshd = await startSshd(dir, Object.values(NODES), port);
    s = site("glance_ssh", (node) => ({
      ansible_connection: "ssh",
      ansible_host: NODES[node],
      ansible_port: port,
      ansible_user: "root",
      ansible_ssh_private_key_file: sshd.key,
      ansible_ssh_common_args: "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
    }));
  }, 30_000);
  afterAll(async () => sshd?.stop());

  it("deploys to each address over SSH, then a re-run changes nothing", async () => {
    const first = await play(s, "-e", "glance_barclamp_serial=2", "-vvv");
    expect(first.code, first.output.slice(-3000)).toBe(0);
    for (const node of NAMES) expect(readFileSync(join(s.roots[node], "etc/glance/glance-api.conf"), "utf8"), node).toContain(`bind_host = ${NODES[node]}`);
    // Each node was reached through ssh to its own address (sshd listens on each).
    for (const address of Object.values(NODES)) expect(first.output).toContain(`<${address}> ESTABLISH SSH CONNECTION FOR USER: root`);
    expect(first.output).not.toContain("ESTABLISH LOCAL CONNECTION");
    const second = await play(s, "-e", "glance_barclamp_serial=2");
    expect(second.code, second.output).toBe(0);
    expect(changed(second)).toEqual({ node1: 0, node2: 0, node3: 0 });
    noSecretIn(first.output + second.output);
  });
});
