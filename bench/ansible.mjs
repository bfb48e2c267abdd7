// The several-nodes deploy (ansible/playbooks/deploy.yml) on 3 and 10 hosts over Ansible's local
// connection, each host its own staging root, one real MariaDB: the first deploy (empty roots, a new
// database), a re-run of the converged deployment, and `ansible -m ping` over the same hosts (what
// Ansible itself costs per host). A CLI wrapper logs every call, so the CLI's share of a play's wall
// time is the time during which at least one CLI process runs. `node bench/ansible.mjs --write`
// re-measures this section alone; bench/run.mjs includes it.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMariaDb } from "./index.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const playbook = join(repo, "ansible/playbooks/deploy.yml");

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// The same throw-away Ansible environment and fleet proposal as test/helpers/ansible.ts and
// test/e2e/ansible-deploy.test.ts, written again because the bench runs on the built CLI with plain
// Node, without the TypeScript the tests are in.
const ansibleEnv = (dir) => ({
  PATH: process.env.PATH,
  HOME: dir,
  LANG: "C.UTF-8",
  ANSIBLE_CONFIG: join(dir, "ansible.cfg"),
  ANSIBLE_LOCAL_TEMP: join(dir, "ansible-local"),
  ANSIBLE_REMOTE_TMP: join(dir, "ansible-remote"),
  ANSIBLE_NOCOLOR: "1",
  ANSIBLE_RETRY_FILES_ENABLED: "0",
  ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
  ANSIBLE_FORKS: "10",
});

/** Wall time of a command in ms; it must succeed. */
const timed = (argv, dir) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd: dir, env: ansibleEnv(dir), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stdout.slice(-3000)}${result.stderr}`);
  return { ms, output: result.stdout, start: Number(start / 1000n) };
};

/** How long at least one CLI call was running, in ms, from the wrapper's log (start/end in ns). */
const cliBusy = (log) => {
  const events = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .map(([event, , , at]) => ({ delta: event === "start" ? 1 : -1, at: Number(BigInt(at) / 1000n) }))
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let since = 0;
  let busy = 0;
  for (const { delta, at } of events) {
    if (running === 0 && delta > 0) since = at;
    running += delta;
    if (running === 0) busy += at - since;
  }
  return busy / 1000;
};

const site = (work, cli, count, maria, admin) => {
  const dir = join(work, `hosts-${count}`);
  mkdirSync(dir, { recursive: true });
  const nodes = Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const database = `glance_bench_${count}`;
  writeFileSync(join(dir, "ansible.cfg"), "[defaults]\ninterpreter_python = /usr/bin/python3\n");
  const proposal = join(dir, "proposal.json");
  writeFileSync(
    proposal,
    JSON.stringify({
      id: "bc-glance-bench",
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
      deployment: { glance: { elements: { "glance-server": nodes } } },
    }),
  );
  const inventory = join(dir, "site.inventory.json");
  writeFileSync(
    inventory,
    JSON.stringify({
      nodes: Object.fromEntries(nodes.map((n, i) => [n, { admin_address: `127.0.0.${11 + i}` }])),
      mysql: { db1: { host: "127.0.0.1", port: maria.port, admin_user: "admin", admin_password: { env: "GB_MYSQL_ADMIN" } } },
    }),
  );
  const printed = spawnSync(process.execPath, [cli, "ansible-inventory", proposal, "-i", inventory], { encoding: "utf8" });
  if (printed.status !== 0) throw new Error(printed.stderr);
  const hosts = JSON.parse(printed.stdout);
  const roots = nodes.map((n) => join(dir, `root-${n}`));
  nodes.forEach((n, i) => Object.assign(hosts.all.children.glance_server.hosts[n], { ansible_connection: "local", glance_barclamp_root: roots[i] }));
  writeFileSync(join(dir, "hosts.json"), JSON.stringify(hosts));
  const log = join(dir, "calls.log");
  const wrapper = join(dir, "cli.sh");
  writeFileSync(
    wrapper,
    `#!/bin/sh\necho "start $1 - $(date +%s%N)" >> "${log}"\n"${process.execPath}" "${cli}" "$@"\ncode=$?\necho "end $1 - $(date +%s%N)" >> "${log}"\nexit $code\n`,
  );
  chmodSync(wrapper, 0o755);
  writeFileSync(
    join(dir, "vars.json"),
    JSON.stringify({
      glance_barclamp_proposal: proposal,
      glance_barclamp_inventory: inventory,
      glance_barclamp_cli: wrapper,
      glance_barclamp_secrets: { GB_DB_PASSWORD: "bench-db-pw-0123", GB_SWIFT_KEY: "bench-swift-key", GB_MYSQL_ADMIN: admin },
    }),
  );
  const reset = () => {
    for (const root of roots) {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root);
    }
    maria.sql(`DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS 'glance'@'%';`);
    rmSync(log, { force: true });
  };
  return { dir, log, reset, deploy: ["ansible-playbook", playbook, "-i", join(dir, "hosts.json"), "-e", `@${join(dir, "vars.json")}`], ping: ["ansible", "-i", join(dir, "hosts.json"), "glance_server", "-m", "ping"] };
};

const recapChanged = (output) => [...output.split("PLAY RECAP").pop().matchAll(/changed=(\d+)/gu)].reduce((n, m) => n + Number(m[1]), 0);

export const benchAnsible = async ({ cli, work, runs }) => {
  if (spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status !== 0) return undefined;
  // Its own server directory: run.mjs hands the index bench's work directory on, where one lives already.
  const mariaWork = join(work, "ansible-mariadb");
  mkdirSync(mariaWork);
  chmodSync(work, 0o755);
  const maria = await startMariaDb(mariaWork);
  const admin = "bench-admin-pw";
  maria.sql(`CREATE USER 'admin'@'%' IDENTIFIED BY '${admin}'; GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION;`);
  const cases = [];
  try {
    for (const count of [3, 10]) {
      const s = site(work, cli, count, maria, admin);
      const ping = median(Array.from({ length: runs }, () => timed(s.ping, s.dir).ms));
      const first = [];
      const again = [];
      for (let i = 0; i < runs; i++) {
        s.reset();
        const deployed = timed(s.deploy, s.dir);
        first.push({ ms: deployed.ms, busy: cliBusy(s.log) });
        rmSync(s.log);
        const rerun = timed(s.deploy, s.dir);
        if (recapChanged(rerun.output) !== 0) throw new Error(`the re-run on ${count} hosts changed something:\n${rerun.output.slice(-2000)}`);
        again.push({ ms: rerun.ms, busy: cliBusy(s.log) });
      }
      const pick = (samples) => {
        const ms = median(samples.map((x) => x.ms));
        const busy = median(samples.map((x) => x.busy));
        return { ms, busy, share: busy / ms };
      };
      cases.push({ hosts: count, ping, first: pick(first), again: pick(again) });
    }
  } finally {
    await maria.stop();
  }
  return cases;
};

export const formatAnsible = (cases) => {
  if (cases === undefined) return "### Several nodes (Ansible)\n\nansible-core is not installed: not measured.\n";
  const rows = cases.flatMap((c) => [
    `| ${c.hosts} | first deploy (empty roots, new database) | ${c.first.ms.toFixed(0)} | ${(c.first.ms / c.ping).toFixed(1)} | ${c.first.busy.toFixed(0)} | ${(100 * c.first.share).toFixed(0)} % |`,
    `| ${c.hosts} | re-run, converged (changed=0) | ${c.again.ms.toFixed(0)} | ${(c.again.ms / c.ping).toFixed(1)} | ${c.again.busy.toFixed(0)} | ${(100 * c.again.share).toFixed(0)} % |`,
    `| ${c.hosts} | \`ansible -m ping\` | ${c.ping.toFixed(0)} | 1.0 | | |`,
  ]);
  return [
    "### Several nodes (Ansible)",
    "",
    "`ansible/playbooks/deploy.yml` over Ansible's local connection, each host its own staging root, one MariaDB, serial 1 (the default): validate on every host, provisioning on the first, then apply and verify host after host. The CLI's share is the time during which at least one CLI process ran (a wrapper logs each call), over the play's wall time; the rest is Ansible's own work (forks, module transfer, the plays' task rounds).",
    "",
    "| hosts | case | wall ms | × `ansible -m ping` | CLI busy ms | CLI share |",
    "|---:|---|---:|---:|---:|---:|",
    ...rows,
    "",
  ].join("\n");
};

const SECTION = /### Several nodes \(Ansible\)\n[\s\S]*?(?=\n### |$)/u;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cli = join(repo, "dist/bin/glance-barclamp.cjs");
  const work = mkdtempSync(join(tmpdir(), "gb-bench-ansible-"));
  try {
    const section = formatAnsible(await benchAnsible({ cli, work, runs: Number(process.env.BENCH_RUNS ?? 3) }));
    process.stdout.write(section);
    if (process.argv.includes("--write")) {
      const path = join(repo, "bench/RESULTS.md");
      const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
      writeFileSync(path, SECTION.test(text) ? text.replace(SECTION, section) : `${text.trimEnd()}\n\n${section}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
