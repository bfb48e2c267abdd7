// `index` at scale, on databases the real tools made: SQLite and MariaDB with the schema of the real
// `glance-manage db_sync` (zed) and 2011.3's schema (diablo, from its migrations' result), each
// filled with 1,000,000 images; every format and every sort key against the database's own client
// printing the same columns in the same order; peak memory; `--limit 20`; and the API (`index -H`)
// against Debian's `openstack image list` over 10,000 images served by the real glance-api.
// Imported by bench/run.mjs; `BENCH_INDEX_ROWS` changes the size (for a quick try).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout } from "node:timers";
import { join } from "node:path";

const ROWS = Number(process.env.BENCH_INDEX_ROWS ?? 1_000_000);
const API_ROWS = 10_000;
const SORTS = ["created_at", "name", "size", "status", "disk_format", "container_format", "id"];
export const COLUMNS = "id, name, disk_format, container_format, size, status, checksum, visibility, created_at, deleted";
const TABLE_COLUMNS = "id, name, disk_format, container_format, size, status";

const run = (argv, options = {}) => {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", maxBuffer: 1 << 26, ...options });
  if (result.status !== 0) throw new Error(`${argv.join(" ").slice(0, 200)} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
};

/** Wall time and peak memory of one run, output to /dev/null (GNU time). */
const measure = (argv, env = process.env) => {
  const start = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(" ").slice(0, 200)} exited ${result.status}: ${result.stderr}`);
  return { ms, kb: Number(result.stderr.trim().split("\n").pop()) };
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** When the first byte of stdout arrives after the spawn, and peak memory (GNU time): what `--limit 20` is about. */
const firstByte = (argv) =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first;
    let stderr = "";
    const child = spawn("/usr/bin/time", ["-f", "%M", ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", () => {
      first ??= Number(process.hrtime.bigint() - start) / 1e6;
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      if (code !== 0 || first === undefined) reject(new Error(`${argv.join(" ").slice(0, 200)} exited ${code} (${first === undefined ? "no output" : "output"}): ${stderr}`));
      else resolve({ ms: first, kb: Number(stderr.trim().split("\n").pop()) });
    });
  });

/** Medians of first bytes, A and B alternately after a warm-up, and A's peak memory. */
const compareFirstBytes = async (a, b, runs) => {
  await firstByte(a);
  await firstByte(b);
  const as = [];
  const bs = [];
  let kb = 0;
  for (let i = 0; i < runs; i++) {
    const x = await firstByte(a);
    as.push(x.ms);
    kb = Math.max(kb, x.kb);
    bs.push((await firstByte(b)).ms);
  }
  return { ms: median(as), reference: median(bs), kb };
};

/** Runs A and B alternately, `runs` times each after a warm-up: medians, and A's peak memory. */
const compare = (a, b, runs) => {
  if (runs > 1) {
    measure(a);
    measure(b);
  }
  const as = [];
  const bs = [];
  let kb = 0;
  for (let i = 0; i < runs; i++) {
    const x = measure(a);
    as.push(x.ms);
    kb = Math.max(kb, x.kb);
    bs.push(measure(b).ms);
  }
  return { ms: median(as), reference: median(bs), kb };
};

const GOALS = { csv: 1.5, json: 2, table: 2 };

/**
 * A listing case: `runs` interleaved runs; when its ratio is within 15% of its format's goal,
 * either side, it is measured again with 5 runs and that median kept, so that one noisy run
 * (the machine is shared) neither makes a miss nor hides one.
 */
const compareCase = (format, a, b, runs) => {
  const first = compare(a, b, runs);
  if (runs >= 5 || Math.abs(first.ms / first.reference / GOALS[format] - 1) > 0.15) return { ...first, runs };
  return { ...compare(a, b, 5), runs: 5 };
};

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export const dbSync = (work, connection) => {
  const config = join(work, `manage-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(config, `[DEFAULT]\nlog_file = ${join(work, "manage.log")}\n[database]\nconnection = ${connection}\n`);
  run(["/usr/bin/glance-manage", "--config-file", config, "db_sync"]);
};

// The rows: ids unique, names (2% NULL, 1% with a comma, so that some CSV lines need quotes),
// sizes (3% NULL), five disk formats and NULL, four statuses, 5% deleted, runs of equal timestamps.
export const sqliteFill = (path, schema, rows) => {
  const fill = `
    const Database = require("better-sqlite3");
    const db = new Database(${JSON.stringify(path)});
    db.pragma("journal_mode = OFF"); db.pragma("synchronous = OFF");
    const formats = ["qcow2", "raw", "vmdk", "iso", "ami", null];
    const statuses = ["active", "active", "active", "queued", "saving", "killed", "pending_delete"];
    const hex = (n, w) => n.toString(16).padStart(w, "0").slice(-w);
    const zed = ${JSON.stringify(schema === "zed")};
    const insert = zed
      ? db.prepare("INSERT INTO images (id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, container_format, checksum, owner, min_disk, min_ram, protected, virtual_size, visibility, os_hidden, os_hash_algo, os_hash_value) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,0,0,?,?,0,'sha512',?)")
      : db.prepare("INSERT INTO images (id, name, disk_format, container_format, size, status, is_public, checksum, created_at, updated_at, deleted_at, deleted, location, owner, min_disk, min_ram) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,0)");
    db.transaction(() => {
      for (let i = 1; i <= ${rows}; i++) {
        const mix = Math.imul(i, 2654435761) >>> 0;
        const created = new Date(1300000000000 + Math.floor(i / 3) * 1000).toISOString().replace("T", " ").slice(0, 19) + ".000000";
        const deleted = i % 20 === 3 ? 1 : 0;
        const format = formats[mix % 6];
        const name = i % 50 === 0 ? null : "image-" + (mix % ${rows}) + (i % 100 === 7 ? ", with comma" : "");
        const size = i % 33 === 0 ? null : mix * 7 % 10000000000;
        const status = deleted ? "deleted" : statuses[mix % 7];
        const sum = hex(mix, 8).repeat(4);
        if (zed) insert.run(hex(mix, 8) + "-" + hex(i, 4) + "-4" + hex(mix, 3) + "-8" + hex(i, 3) + "-" + hex(i, 12), name, size, status, created, created, deleted ? created : null, deleted, format, format === null ? null : "bare", sum, hex(mix % 100, 32), size, ["public", "private", "shared", "community"][mix % 4], sum.repeat(4));
        else insert.run(i, name, format, format === null ? null : "bare", size, status, mix % 2, sum, created, created, deleted ? created : null, deleted, "file:///var/lib/glance/images/" + i, hex(mix % 100, 32));
      }
    })();
    db.close();`;
  run([process.execPath, "-e", fill], { cwd: new URL("..", import.meta.url).pathname });
};

export const mariadbFill = (sql, database, schema, rows) => {
  const hexId = "CONCAT(SUBSTR(MD5(seq),1,8),'-',SUBSTR(MD5(seq),9,4),'-4',SUBSTR(MD5(seq),13,3),'-8',SUBSTR(MD5(seq),16,3),'-',LPAD(HEX(seq),12,'0'))";
  const name = `IF(seq % 50 = 0, NULL, CONCAT('image-', (seq * 7919) % ${rows}, IF(seq % 100 = 7, ', with comma', '')))`;
  const size = "IF(seq % 33 = 0, NULL, (seq * 104729) % 10000000000)";
  const status = "IF(seq % 20 = 3, 'deleted', ELT(1 + seq % 7, 'active','active','active','queued','saving','killed','pending_delete'))";
  const time = "FROM_UNIXTIME(1300000000 + FLOOR(seq/3))";
  const format = "ELT(1 + seq % 6, 'qcow2','raw','vmdk','iso','ami', NULL)";
  sql(
    schema === "zed"
      ? `INSERT INTO images (id, name, size, status, created_at, updated_at, deleted_at, deleted, disk_format, container_format, checksum, owner, min_disk, min_ram, protected, virtual_size, visibility, os_hidden, os_hash_algo, os_hash_value)
         SELECT ${hexId}, ${name}, ${size}, ${status}, ${time}, ${time}, IF(seq % 20 = 3, ${time}, NULL), IF(seq % 20 = 3, 1, 0), ${format}, IF(seq % 6 = 5, NULL, 'bare'), MD5(CONCAT('c', seq)), MD5(seq % 100), 0, 0, 0, ${size}, ELT(1 + seq % 4, 'public','private','shared','community'), 0, 'sha512', SHA2(seq, 512) FROM seq_1_to_${rows}`
      : `INSERT INTO images (id, name, disk_format, container_format, size, status, is_public, checksum, created_at, updated_at, deleted_at, deleted, location, owner, min_disk, min_ram)
         SELECT seq, ${name}, ${format}, IF(seq % 6 = 5, NULL, 'bare'), ${size}, ${status}, seq % 2, MD5(CONCAT('c', seq)), ${time}, ${time}, IF(seq % 20 = 3, ${time}, NULL), IF(seq % 20 = 3, 1, 0), CONCAT('file:///var/lib/glance/images/', seq), MD5(seq % 100), 0, 0 FROM seq_1_to_${rows}`,
    database,
  );
};

export const startMariaDb = async (work) => {
  const dir = join(work, "mariadb");
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(join(dir, "tmp"));
  chmodSync(work, 0o755);
  chmodSync(dir, 0o755);
  run(["chown", "mysql:mysql", join(dir, "run"), join(dir, "tmp")]);
  run(["mariadb-install-db", "--no-defaults", `--datadir=${join(dir, "data")}`, `--tmpdir=${join(dir, "tmp")}`, "--user=mysql", "--auth-root-authentication-method=socket", "--skip-test-db"]);
  const socket = join(dir, "run/mysqld.sock");
  const port = await freePort();
  const child = spawn(
    "mariadbd",
    ["--no-defaults", "--user=mysql", `--datadir=${join(dir, "data")}`, `--tmpdir=${join(dir, "tmp")}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1", "--skip-name-resolve", "--innodb-buffer-pool-size=2G"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && spawnSync("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "-u", "root", "ping"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  const sql = (statements, database) => run(["mariadb", "--no-defaults", `--socket=${socket}`, "-u", "root", "-N", "-B", ...(database === undefined ? [] : [database])], { input: statements });
  sql("CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO 'bench'@'127.0.0.1';");
  // Stopped and waited for: its files can then be removed (a server still writing its data
  // directory made the bench's final clean-up fail, losing the whole run).
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { port, sql, stop };
};

/** The ORDER BY index uses for a sort key (NULLs lowest, ties by id). */
export const orderBy = (key, dir) => {
  const expression = key === "size" ? "COALESCE(size, -1)" : ["name", "disk_format", "container_format"].includes(key) ? `COALESCE(${key}, '')` : key;
  return `ORDER BY ${expression} ${dir}, id ${dir}`;
};

/** Each audit filter alone: its options, and the same WHERE in SQL (the fills' owners and timestamps). */
export const auditFilters = (engine, rows) => {
  const owner = engine === "sqlite" ? (7).toString(16).padStart(32, "0") : createHash("md5").update("7").digest("hex");
  // The newest 4% of the images, and the deleted among the newest 30% (the fills' timestamps).
  const [recent, deletedLately] = [0.96, 0.7].map((share) => new Date(1300000000000 + Math.floor((rows * share) / 3) * 1000).toISOString().slice(0, 16));
  const sqlStamp = (stamp) => `'${stamp.replace("T", " ")}:00'`;
  return [
    [["--owner", owner], `deleted = 0 AND owner = '${owner}'`],
    [["--created-since", recent], `deleted = 0 AND created_at >= ${sqlStamp(recent)}`],
    [["--all", "--deleted-since", deletedLately], `deleted_at >= ${sqlStamp(deletedLately)}`],
    [["--min-size", "9000000000"], "deleted = 0 AND size >= 9000000000"],
    [["--max-size", "1000000000"], "deleted = 0 AND size <= 1000000000"],
  ];
};

export const benchIndex = async ({ cli, work, runs }) => {
  const cases = [];

  // SQLite: zed's schema from the real db_sync, 2011.3's from its migrations' result.
  const sqlite = {};
  for (const schema of ["zed", "diablo"]) {
    const path = join(work, `${schema}.sqlite`);
    if (schema === "zed") dbSync(work, `sqlite:///${path}`);
    else run(["sqlite3", path], { input: readFileSync(new URL("../test/fixtures/reference/schema-diablo.sql", import.meta.url), "utf8") });
    sqliteFill(path, schema, ROWS);
    sqlite[schema] = path;
  }
  const maria = await startMariaDb(work);
  try {
    for (const schema of ["zed", "diablo"]) {
      maria.sql(`CREATE DATABASE glance_${schema} CHARACTER SET utf8mb4`);
      if (schema === "zed") dbSync(work, `mysql+pymysql://bench:bench@127.0.0.1:${maria.port}/glance_${schema}`);
      else maria.sql(readFileSync(new URL("../test/fixtures/reference/schema-diablo.sql", import.meta.url), "utf8"), `glance_${schema}`);
      mariadbFill(maria.sql, `glance_${schema}`, schema, ROWS);
    }
    for (const engine of ["sqlite", "mariadb"])
      for (const schema of ["zed", "diablo"]) {
        const visibility = schema === "zed" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END AS visibility";
        const connection = engine === "sqlite" ? `sqlite:///${sqlite[schema]}` : `mysql://bench:bench@127.0.0.1:${maria.port}/glance_${schema}`;
        const client = (format, query) =>
          engine === "sqlite"
            ? ["sqlite3", format === "json" ? "-json" : "-csv", ...(format === "json" ? [] : ["-header"]), sqlite[schema], query]
            : ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", String(maria.port), "-u", "bench", "-pbench", `glance_${schema}`, "--batch", "--quick", "-e", query];
        for (const format of ["csv", "json", "table"])
          for (const sort of SORTS) {
            const dir = sort === "created_at" ? "DESC" : "ASC";
            const columns = format === "table" ? TABLE_COLUMNS : COLUMNS.replace("visibility", visibility);
            const query = `SELECT ${columns} FROM images WHERE deleted = 0 ${orderBy(sort, dir)}`;
            const index = [process.execPath, cli, "index", "--connection", connection, "--format", format, "--sort", `${sort}:${dir.toLowerCase()}`];
            // The default order three times (medians), every other one once (again near its goal).
            const result = compareCase(format, index, client(format, query), sort === "created_at" ? runs : 1);
            cases.push({ engine, schema, format, sort, ...result });
          }
        // Audits (--columns, filters): the same goals hold.
        const auditColumns = schema === "zed" ? "id,owner,visibility,size,created_at" : "id,owner,is_public,size,created_at";
        const visibilityFilter = schema === "zed" ? "visibility = 'public'" : "is_public = 1";
        for (const format of ["csv", "json", "table"]) {
          const query = `SELECT ${auditColumns.split(",").join(", ")} FROM images WHERE deleted = 0 ${orderBy("created_at", "DESC")}`;
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", format, "--columns", auditColumns];
          cases.push({ engine, schema, format, sort: `--columns ${auditColumns}`, ...compareCase(format, index, client(format, query), 1) });
        }
        {
          const query = `SELECT ${COLUMNS.replace("visibility", visibility)} FROM images WHERE deleted = 0 AND ${visibilityFilter} AND size >= 1000000000 ${orderBy("created_at", "DESC")}`;
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", "csv", "--visibility", "public", "--min-size", "1000000000"];
          cases.push({ engine, schema, format: "csv", sort: "--visibility public --min-size 1000000000", ...compareCase("csv", index, client("csv", query), 1) });
        }
        // Each audit filter alone, and --summary against the three GROUP BYs a client would run.
        const filters = auditFilters(engine, ROWS);
        // How many rows each lists, in its label: a short listing's time is mostly start-up (Node's
        // own, then the driver's), which the database's client does not have.
        const countOf = (where) => {
          const count = `SELECT COUNT(*) FROM images WHERE ${where}`;
          const out = engine === "sqlite" ? run(["sqlite3", sqlite[schema], count]) : maria.sql(count, `glance_${schema}`);
          return Number(out.trim()).toLocaleString("en");
        };
        for (const [options, where] of filters) {
          const query = `SELECT ${COLUMNS.replace("visibility", visibility)} FROM images WHERE ${where} ${orderBy("created_at", "DESC")}`;
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", "csv", ...options];
          cases.push({ engine, schema, format: "csv", sort: `${options.join(" ")} (${countOf(where)} rows)`, ...compareCase("csv", index, client("csv", query), 1) });
        }
        {
          const groups = ["status", visibility.replace(/ AS visibility$/u, ""), "disk_format"];
          const query = groups.map((g) => `SELECT ${g} AS v, COUNT(*) AS n, COALESCE(SUM(size), 0) AS s FROM images WHERE deleted = 0 GROUP BY ${g} ORDER BY COUNT(*) DESC, v;`).join(" ");
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", "csv", "--summary"];
          cases.push({ engine, schema, format: "csv", sort: "--summary (client: three GROUP BYs)", ...compareCase("csv", index, client("csv", query), 1) });
        }
        // --limit 20: the first row, against the database's own client running the same query (the
        // primary key is an index on both engines, a rowid alias on 2011.3's SQLite schema).
        const indexed = (
          engine === "sqlite"
            ? run(["sqlite3", sqlite[schema], "SELECT i.name FROM pragma_index_list('images') AS l, pragma_index_info(l.name) AS i WHERE i.seqno = 0"])
            : maria.sql("SELECT column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'images' AND seq_in_index = 1", `glance_${schema}`)
        ).split("\n");
        for (const sort of SORTS) {
          const dir = sort === "created_at" ? "DESC" : "ASC";
          const query = `SELECT ${COLUMNS.replace("visibility", visibility)} FROM images WHERE deleted = 0 ${orderBy(sort, dir)} LIMIT 20`;
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", "csv", "--sort", `${sort}:${dir.toLowerCase()}`, "--limit", "20"];
          cases.push({ engine, schema, format: "limit", sort, indexed: sort === "id" || indexed.includes(sort), ...(await compareFirstBytes(index, client("csv", query), 5)) });
        }
        // The audit options with --limit 20, in an order Glance's schema indexes (created_at on
        // zed's, 2011.3's id, its rowid on SQLite; newest first, as an audit reads): the filters and
        // columns keep that walk.
        const [key, dir] = schema === "zed" ? ["created_at", "DESC"] : ["id", "DESC"];
        const audits = [
          [["--columns", auditColumns], auditColumns.split(",").join(", "), "deleted = 0"],
          ...filters.map(([options, where]) => [options, COLUMNS.replace("visibility", visibility), where]),
        ];
        for (const [options, columns, where] of audits) {
          const query = `SELECT ${columns} FROM images WHERE ${where} ${orderBy(key, dir)} LIMIT 20`;
          const index = [process.execPath, cli, "index", "--connection", connection, "--format", "csv", "--sort", `${key}:${dir.toLowerCase()}`, "--limit", "20", ...options];
          cases.push({ engine, schema, format: "limit", sort: `${key} ${options.join(" ")}`, indexed: true, ...(await compareFirstBytes(index, client("csv", query), 5)) });
        }
      }
  } finally {
    await maria.stop();
  }

  // Through the API: the real glance-api on a real-schema SQLite of 10,000 images, without Keystone.
  const api = await benchApi({ cli, work, runs });
  // Node's own start-up, to the first byte: what `--limit 20`'s 100 ms come after.
  const startup = (await compareFirstBytes([process.execPath, "-e", "process.stdout.write('x')"], ["echo"], 11)).ms;
  return { cases, api, startup };
};

const benchApi = async ({ cli, work, runs }) => {
  if (spawnSync("openstack", ["--version"], { stdio: "ignore" }).status !== 0) return undefined;
  const dir = join(work, "api");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "glance.sqlite");
  dbSync(work, `sqlite:///${path}`);
  sqliteFill(path, "zed", API_ROWS);
  const port = await freePort();
  const config = join(dir, "glance-api.conf");
  writeFileSync(
    config,
    `[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = ${port}\nworkers = 1\nlog_file = ${join(dir, "api.log")}\nenabled_backends = file:file\n[database]\nconnection = sqlite:///${path}\n[glance_store]\ndefault_backend = file\n[file]\nfilesystem_store_datadir = ${join(dir, "images")}\n[paste_deploy]\nflavor =\nconfig_file = /etc/glance/glance-api-paste.ini\n[oslo_policy]\nenforce_new_defaults = false\nenforce_scope = false\n`,
  );
  const child = spawn("/usr/bin/glance-api", ["--config-file", config], { stdio: "ignore", detached: true });
  try {
    for (let i = 0; i < 300; i++) {
      if (spawnSync("curl", ["-sf", `http://127.0.0.1:${port}/versions`], { stdio: "ignore" }).status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const index = [process.execPath, cli, "index", "-H", "127.0.0.1", "-p", String(port), "-A", "none", "--format", "table"];
    // No --limit: to openstackclient it caps the listing (not the page size) and it would stop at 1,000.
    const openstack = ["openstack", "--os-auth-type", "none", "--os-endpoint", `http://127.0.0.1:${port}`, "image", "list"];
    const listed = spawnSync(openstack[0], openstack.slice(1), { encoding: "utf8", maxBuffer: 1 << 26 });
    if (listed.status !== 0) throw new Error(`openstack image list: ${listed.stderr}`);
    const counted = run(index).split("\n").length - 3;
    return { ...compare(index, openstack, Math.max(3, Math.floor(runs / 2))), images: counted };
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
};
