// Benchmarks of whole processes: each case runs after a warm-up, several times, and reports the
// median wall time and its ratio to a reference measured in the same run (node -e 0; for index, the
// database's own client, see bench/index.mjs). `npm run bench` (after
// `npm run build`) prints a Markdown table; `--write` also records it in bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SECTION } from "./floor.mjs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const cli = join(repo, "dist/bin/glance-barclamp.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 11);

const time = (argv, options = {}) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { stdio: "ignore", ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && options.allowFailure !== true) throw new Error(`${argv.join(" ")} exited ${result.status}`);
  return ms;
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const measure = (argv, options = {}) => {
  options.before?.();
  time(argv, options);
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    options.before?.();
    samples.push(time(argv, options));
  }
  return median(samples);
};

const work = mkdtempSync(join(tmpdir(), "gb-bench-"));
const batch = [];
for (let i = 0; i < 1000; i++) {
  const file = join(work, `p${i}.json`);
  writeFileSync(file, readFileSync(join(repo, "proposals/crowbar-2011-default.json"), "utf8").replace("bc-glance-default", `bc-glance-p${i}`));
  batch.push(file);
}
const root = join(work, "root");

const floor = measure([process.execPath, "-e", "0"]);
const rows = [];
const add = (name, ms, reference, target) => rows.push({ name, ms, ratio: reference === undefined ? undefined : ms / reference, target });

add("node -e 0 (the floor)", floor);
add("validate one proposal", measure([process.execPath, cli, "validate", "proposals/crowbar-2011-default.json"], { cwd: repo }), floor, "≤ 2.0 × floor");
const thousand = measure([process.execPath, cli, "validate", ...batch], { cwd: repo, allowFailure: false });
add("validate 1,000 proposals in one call", thousand, floor, "≤ 1 s in all");
add("  per proposal", thousand / 1000);
add(
  "apply zed-sqlite into an empty staging root",
  measure([process.execPath, cli, "apply", "proposals/zed-sqlite.json", "--root", root, "--node", "n1", "--log-file", join(work, "log")], {
    cwd: repo,
    before: () => {
      rmSync(root, { recursive: true, force: true });
      spawnSync("mkdir", ["-p", root]);
    },
  }),
  floor,
  "≤ 2.5 × floor",
);
add(
  "re-apply (nothing to change)",
  measure([process.execPath, cli, "apply", "proposals/zed-sqlite.json", "--root", root, "--node", "n1", "--log-file", join(work, "log")], { cwd: repo }),
  floor,
  "≤ 2.5 × floor",
);
// The same glance-api.conf rendered by an Ansible template play, when Ansible is installed
// (Debian: ansible-core): the peer the brief compares apply with.
if (spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0) {
  const play = join(work, "ansible");
  spawnSync("mkdir", ["-p", play]);
  const rendered = spawnSync(process.execPath, [cli, "render", "proposals/zed-sqlite.json", "--node", "n1", "--out", join(play, "out")], { cwd: repo, encoding: "utf8" });
  if (rendered.status !== 0) throw new Error(rendered.stderr);
  writeFileSync(join(play, "glance-api.conf.j2"), readFileSync(join(play, "out/etc/glance/glance-api.conf"), "utf8").replace("bind_port = 9292", "bind_port = {{ port }}"));
  writeFileSync(
    join(play, "play.yml"),
    `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - template:\n        src: ${play}/glance-api.conf.j2\n        dest: ${play}/glance-api.conf\n        mode: "0640"\n      vars:\n        port: 9292\n`,
  );
  const ansible = measure(["ansible-playbook", "-i", "localhost,", join(play, "play.yml")], { env: { ...process.env, ANSIBLE_NOCOLOR: "1" } });
  add("ansible-playbook: template glance-api.conf (no facts)", ansible, floor);
  const applyMs = rows.find((r) => r.name.startsWith("re-apply"))?.ms ?? NaN;
  add("  re-apply as a fraction of that play", applyMs, ansible);
}

// index at scale: its own cases (bench/index.mjs), on databases the real tools made.
const { benchIndex } = await import("./index.mjs");
const indexResults = await benchIndex({ cli, work, runs: Math.max(3, Math.floor(RUNS / 2)) });

// Several nodes: the Ansible playbook over 3 and 10 local hosts (bench/ansible.mjs).
const { benchAnsible, formatAnsible } = await import("./ansible.mjs");
const ansibleReport = formatAnsible(await benchAnsible({ cli, work, runs: Math.max(3, Math.floor(RUNS / 4)) }));

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));
const table = [
  "| case | median ms | ratio | target |",
  "|---|---:|---:|---|",
  ...rows.map((r) => `| ${r.name} | ${r.text ?? fmt(r.ms)} | ${r.ratio === undefined ? "" : r.ratio.toFixed(2)} | ${r.target ?? ""} |`),
].join("\n");
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const clientOf = (c) => (c.engine === "sqlite" ? (c.format === "json" ? "sqlite3 -json" : "sqlite3 -csv") : "mariadb --batch --quick");
const listing = indexResults.cases.filter((c) => c.format !== "limit");
const indexTable = [
  "| engine | schema | format | sort | runs | index ms | client ms | ratio | target | peak memory |",
  "|---|---|---|---|---:|---:|---:|---:|---|---:|",
  ...listing.map(
    (c) =>
      `| ${c.engine} | ${c.schema} | ${c.format} | ${c.sort} | ${c.runs} | ${c.ms.toFixed(0)} | ${c.reference.toFixed(0)} (${clientOf(c)}) | ${(c.ms / c.reference).toFixed(2)} | ${c.format === "csv" ? "≤ 1.5" : "≤ 2.0"} | ${mb(c.kb)} |`,
  ),
].join("\n");
const limits = indexResults.cases.filter((c) => c.format === "limit");
const startup = indexResults.startup;
const limitTable = [
  `\`index --limit 20\`: when the first row arrives, medians of 5, and after Node's own start-up (${startup.toFixed(0)} ms to the first byte of \`node -e "process.stdout.write('x')"\`); the goal is 100 ms after it. The client runs the same query with \`LIMIT 20\`. Without an index on the sort key, every database reads and sorts all the rows before its first one.`,
  "",
  "| engine | schema | sort | indexed | first row ms | after start-up | client ms | goal | peak memory |",
  "|---|---|---|---|---:|---:|---:|---|---:|",
  ...limits.map(
    (c) =>
      `| ${c.engine} | ${c.schema} | ${c.sort} | ${c.indexed ? "yes" : "no"} | ${c.ms.toFixed(0)} | ${(c.ms - startup).toFixed(0)} | ${c.reference.toFixed(0)} (${clientOf(c)}) | ${c.ms - startup <= 100 ? "met" : "missed"} | ${mb(c.kb)} |`,
  ),
].join("\n");
const worst = (format) => Math.max(...listing.filter((c) => c.format === format).map((c) => c.ms / c.reference));
const api = indexResults.api;
const apiLine =
  api === undefined
    ? "The API case needs Debian's python3-openstackclient: not installed, not measured."
    : `Through the API (the real glance-api, a real-schema SQLite of 10,000 images, ${api.images} of them listed): \`index -H\` ${api.ms.toFixed(0)} ms, \`openstack image list\` ${api.reference.toFixed(0)} ms (${(api.ms / api.reference).toFixed(2)} x), peak ${mb(api.kb)}.`;
const earlier =
  "Until 2026-12-01 the index figures here came from a table made by hand, without the indexes Glance's own schema has: on the real schema SQLite's planner reads `ix_images_deleted` for `WHERE deleted = 0`, and the keyset pages index used then were each sorted again (52 x the sqlite3 tool on 300,000 images). Those figures measured nothing a user has; these replace them.";
const indexReport = `### index over ${Number(process.env.BENCH_INDEX_ROWS ?? 1_000_000).toLocaleString("en")} images\n\n${earlier}\n\nWorst ratios: csv ${worst("csv").toFixed(2)}, json ${worst("json").toFixed(2)}, table ${worst("table").toFixed(2)}; peak memory at most ${mb(Math.max(...listing.map((c) => c.kb)))}.\n\nRuns: the default order (created_at) ${indexResults.cases.find((c) => c.sort === "created_at")?.runs ?? ""} times, every other case once, and 5 times when that run lands within 15% of its goal, either side.\n\n${indexTable}\n\n${limitTable}\n\n${apiLine}\n`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const report = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${RUNS} runs after a warm-up, medians.\n\n${table}\n\n${indexReport}\n${ansibleReport}`;
process.stdout.write(report);
if (process.argv.includes("--write")) {
  const path = join(repo, "bench/RESULTS.md");
  // bench/floor.mjs's section, recorded by its own run, is kept.
  const floor = existsSync(path) ? (SECTION.exec(readFileSync(path, "utf8"))?.[0] ?? "") : "";
  writeFileSync(path, `# Benchmark results\n\n\`npm run bench -- --write\` regenerates this file.\n\n${report}${floor === "" ? "" : `\n${floor}`}`);
}
// Last, once the results are out: a clean-up that fails loses nothing.
rmSync(work, { recursive: true, force: true, maxRetries: 5 });
