// Benchmarks of whole processes: each case runs after a warm-up, several times, and reports the
// median wall time and its ratio to a reference measured in the same run (node -e 0, or the sqlite3
// tool for index). `npm run bench` (after
// `npm run build`) prints a Markdown table; `--write` also records it in bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// index over 1,000,000 images in SQLite (the current schema's images table) against the sqlite3
// tool printing the same columns in the same order; peak memory from GNU time.
const { default: SQLite } = await import("better-sqlite3");
const dbPath = join(work, "glance.sqlite");
const db = new SQLite(dbPath);
db.exec(`CREATE TABLE images (id VARCHAR(36) NOT NULL PRIMARY KEY, name VARCHAR(255), size BIGINT, status VARCHAR(30) NOT NULL,
  created_at DATETIME NOT NULL, updated_at DATETIME, deleted_at DATETIME, deleted BOOLEAN NOT NULL, disk_format VARCHAR(20),
  container_format VARCHAR(20), checksum VARCHAR(32), owner VARCHAR(255), min_disk INTEGER NOT NULL, min_ram INTEGER NOT NULL,
  protected BOOLEAN NOT NULL DEFAULT 0, virtual_size BIGINT, visibility VARCHAR(9) NOT NULL DEFAULT 'shared', os_hidden BOOLEAN NOT NULL DEFAULT 0,
  os_hash_algo VARCHAR(64), os_hash_value VARCHAR(128));
  CREATE INDEX created_at_image_idx ON images (created_at);`);
const insert = db.prepare("INSERT INTO images (id, name, size, status, created_at, deleted, disk_format, container_format, checksum, min_disk, min_ram) VALUES (?, ?, ?, 'active', ?, 0, 'qcow2', 'bare', ?, 0, 0)");
db.transaction(() => {
  for (let i = 0; i < 1_000_000; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    insert.run(id, `image-${i}`, 1_000_000 + i, new Date(1_300_000_000_000 + i * 1000).toISOString(), "0123456789abcdef0123456789abcdef");
  }
})();
db.close();
const peakKb = (argv) => {
  const result = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 20 });
  return Number(result.stderr.trim().split("\n").pop());
};
const sqliteArgv = ["sqlite3", "-csv", "-header", dbPath, "SELECT id, name, disk_format, container_format, size, status, checksum, visibility, created_at, deleted FROM images WHERE deleted = 0 ORDER BY created_at DESC, id DESC"];
const indexArgv = [process.execPath, cli, "index", "--connection", `sqlite:///${dbPath}`, "--format", "csv"];
const indexRuns = Math.max(3, Math.floor(RUNS / 2));
const timeIndex = (argv) => {
  time(argv);
  const samples = [];
  for (let i = 0; i < indexRuns; i++) samples.push(time(argv));
  return median(samples);
};
const sqliteMs = timeIndex(sqliteArgv);
add("sqlite3 tool: 1,000,000 images as CSV (reference)", sqliteMs);
add("index: 1,000,000 images as CSV", timeIndex(indexArgv), sqliteMs, "≤ 1.5 × sqlite3");
const sqlitePeak = peakKb(sqliteArgv);
const indexPeak = peakKb(indexArgv);
rows.push({ name: "  peak memory, sqlite3 tool / index", ms: NaN, text: `${(sqlitePeak / 1024).toFixed(0)} MB / ${(indexPeak / 1024).toFixed(0)} MB`, target: "index < 150 MB" });

rmSync(work, { recursive: true, force: true });

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));
const table = [
  "| case | median ms | ratio | target |",
  "|---|---:|---:|---|",
  ...rows.map((r) => `| ${r.name} | ${r.text ?? fmt(r.ms)} | ${r.ratio === undefined ? "" : r.ratio.toFixed(2)} | ${r.target ?? ""} |`),
].join("\n");
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const report = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${RUNS} runs after a warm-up, medians.\n\n${table}\n`;
process.stdout.write(report);
if (process.argv.includes("--write")) {
  const path = join(repo, "bench/RESULTS.md");
  writeFileSync(path, `# Benchmark results\n\n\`npm run bench -- --write\` regenerates this file.\n\n${report}`);
}
