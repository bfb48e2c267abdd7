// Short filtered listings against the floor a Node reader has (#21): for each audit filter of
// bench/index.mjs, on both engines and schemas over 1,000,000 images, `index --format csv` against
// the database's own client and against bench/floor-reader.mjs, which only loads the same driver,
// connects, runs one statement of one-value rows and writes them. When the floor itself takes more
// than 1.5 x the client, no Node program with these drivers meets the 1.5 x goal for that listing.
// `node bench/floor.mjs` (after a build; about 5 minutes) prints its section; `--write` records it
// in bench/RESULTS.md, where `npm run bench -- --write` keeps it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COLUMNS, auditFilters, dbSync, mariadbFill, orderBy, sqliteFill, startMariaDb } from "./index.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
const ROWS = Number(process.env.BENCH_INDEX_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 11);

const time = (argv) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${argv.join(" ").slice(0, 200)} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The commands run in turn, RUNS times after a warm-up (the machine is shared): their medians. */
const interleaved = (commands) => {
  commands.forEach(time);
  const samples = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) commands.forEach((argv, j) => samples[j].push(time(argv)));
  return samples.map(median);
};

export const benchFloor = async (work) => {
  const sqlite = {};
  for (const schema of ["zed", "diablo"]) {
    const path = join(work, `${schema}.sqlite`);
    if (schema === "zed") dbSync(work, `sqlite:///${path}`);
    else spawnSync("sqlite3", [path], { input: readFileSync(join(repo, "test/fixtures/reference/schema-diablo.sql"), "utf8") });
    sqliteFill(path, schema, ROWS);
    sqlite[schema] = path;
  }
  const maria = await startMariaDb(work);
  const cases = [];
  try {
    for (const schema of ["zed", "diablo"]) {
      maria.sql(`CREATE DATABASE glance_${schema} CHARACTER SET utf8mb4`);
      if (schema === "zed") dbSync(work, `mysql+pymysql://bench:bench@127.0.0.1:${maria.port}/glance_${schema}`);
      else maria.sql(readFileSync(join(repo, "test/fixtures/reference/schema-diablo.sql"), "utf8"), `glance_${schema}`);
      mariadbFill(maria.sql, `glance_${schema}`, schema, ROWS);
    }
    for (const engine of ["sqlite", "mariadb"])
      for (const schema of ["zed", "diablo"]) {
        const visibility = schema === "zed" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END";
        const columns = COLUMNS.split(", ").map((c) => (c === "visibility" ? visibility : `IFNULL(${c}, '')`));
        // One value a row, joined by the database: the least work a row can cost the reader.
        const line = engine === "sqlite" ? columns.join(" || ',' || ") : `CONCAT_WS(',', ${columns.join(", ")})`;
        const connection = engine === "sqlite" ? `sqlite:///${sqlite[schema]}` : `mysql://bench:bench@127.0.0.1:${maria.port}/glance_${schema}`;
        for (const [options, where] of auditFilters(engine, ROWS)) {
          const listed = COLUMNS.replace("visibility", schema === "zed" ? "visibility" : `${visibility} AS visibility`);
          const query = `SELECT ${listed} FROM images WHERE ${where} ${orderBy("created_at", "DESC")}`;
          const floorQuery = `SELECT ${line} FROM images WHERE ${where} ${orderBy("created_at", "DESC")}`;
          const client =
            engine === "sqlite"
              ? ["sqlite3", "-csv", "-header", sqlite[schema], query]
              : ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", String(maria.port), "-u", "bench", "-pbench", `glance_${schema}`, "--batch", "--quick", "-e", query];
          const floor = [process.execPath, join(repo, "bench/floor-reader.mjs"), ...(engine === "sqlite" ? ["sqlite", sqlite[schema]] : ["mysql", String(maria.port), `glance_${schema}`]), floorQuery];
          const index = [process.execPath, join(repo, "dist/bin/glance-barclamp.cjs"), "index", "--connection", connection, "--format", "csv", ...options];
          // The floor lists the rows index lists (index adds its header), or it measures something else.
          const lines = (argv) => {
            const out = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", maxBuffer: 1 << 28 }).stdout.trimEnd();
            return out === "" ? 0 : out.split("\n").length;
          };
          if (lines(floor) !== lines(index) - 1) throw new Error(`the floor of ${engine} ${schema} ${options.join(" ")} lists ${lines(floor)} rows, index ${lines(index) - 1}`);
          const [ms, clientMs, floorMs] = interleaved([index, client, floor]);
          cases.push({ engine, schema, options: options.join(" "), ms, clientMs, floorMs });
        }
      }
  } finally {
    await maria.stop();
  }
  const node = median(Array.from({ length: RUNS }, () => time([process.execPath, "-e", "0"])));
  return { cases, node };
};

export const SECTION = /### Short filtered listings and the floor of a Node reader\n[\s\S]*?(?=\n### |$)/u;

export const formatFloor = ({ cases, node }) =>
  [
    "### Short filtered listings and the floor of a Node reader",
    "",
    `\`node bench/floor.mjs --write\`, ${new Date().toISOString().slice(0, 10)}, ${ROWS.toLocaleString("en")} images, medians of ${RUNS} interleaved runs; \`node -e 0\` ${node.toFixed(0)} ms. The floor is bench/floor-reader.mjs: the same driver loaded as glance-barclamp loads it, one statement of one-value rows, written as they come, nothing else. Where the floor is over 1.5 x the client, no Node reader with the product's drivers meets #21's 1.5 x for that listing.`,
    "",
    "| engine | schema | filter | index ms | client ms | floor ms | index / client | floor / client | index / floor |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ...cases.map(
      (c) =>
        `| ${c.engine} | ${c.schema} | ${c.options} | ${c.ms.toFixed(0)} | ${c.clientMs.toFixed(0)} | ${c.floorMs.toFixed(0)} | ${(c.ms / c.clientMs).toFixed(2)} | ${(c.floorMs / c.clientMs).toFixed(2)} | ${(c.ms / c.floorMs).toFixed(2)} |`,
    ),
    "",
  ].join("\n");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(join(tmpdir(), "gb-bench-floor-"));
  try {
    const section = formatFloor(await benchFloor(work));
    process.stdout.write(section);
    if (process.argv.includes("--write")) {
      const path = join(repo, "bench/RESULTS.md");
      const text = readFileSync(path, "utf8");
      writeFileSync(path, SECTION.test(text) ? text.replace(SECTION, section) : `${text.trimEnd()}\n\n${section}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  }
}
