// Benchmarks of whole processes: each case runs after a warm-up, several times, and reports the
// median wall time and its ratio to a reference measured in the same run. `npm run bench` (after
// `npm run build`) prints a Markdown table; `--write` also records it in bench/RESULTS.md.
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const cli = join(repo, "dist/cli/main.js");
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
rmSync(work, { recursive: true, force: true });

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));
const table = [
  "| case | median ms | × node -e 0 | target |",
  "|---|---:|---:|---|",
  ...rows.map((r) => `| ${r.name} | ${fmt(r.ms)} | ${r.ratio === undefined ? "" : r.ratio.toFixed(2)} | ${r.target ?? ""} |`),
].join("\n");
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const report = `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${RUNS} runs after a warm-up, medians.\n\n${table}\n`;
process.stdout.write(report);
if (process.argv.includes("--write")) {
  const path = join(repo, "bench/RESULTS.md");
  writeFileSync(path, `# Benchmark results\n\n\`npm run bench -- --write\` regenerates this file.\n\n${report}`);
}
