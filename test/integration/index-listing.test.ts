/**
 * `index` listings on databases the real schemas made (the current one by the real
 * `glance-manage db_sync`, 2011.3's from its migrations' result), on both engines: every format and
 * every sort key, both directions, compared row for row with a plain SQL query of the same
 * database; hostile names through all three formats (the table escaped, CSV and JSON read back
 * exactly by Python's readers); pages with --limit and --marker that join up to the whole listing.
 */
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnection } from "../../src/db/connection.js";
import { openDatabase } from "../../src/db/database.js";
import { detectSchema, listImageLines, listingSource, resolveColumns, sqliteReading, tableColumns, type JoinedLines, type ListOptions } from "../../src/db/images.js";
import { formatLines, terminalSafe } from "../../src/db/index-format.js";
import { runCli } from "../helpers/cli.js";
import { mariaGlanceDb, sqliteGlanceDb, type TestImage } from "../helpers/glance-db.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";

const HOSTILE = [
  'comma, "quoted"',
  "line\nbreak",
  "cr\rlf\r\n",
  " leading",
  "trailing\t",
  "\u001b[31mred\u001b[0m",
  "bell\u0007",
  "del\u007f",
  "c1\u009b2J",
  "bidi \u202eevil\u202c",
  "isolate\u2066x\u2069",
  "back\\slash",
  "ünïcødé ☁",
  "",
  null,
  'x", "y',
  // MariaDB's table and JSON rows come as fields joined by US: a value holding one is read again;
  // text is marked by a leading quote there, so the text "null" and a leading quote must survive.
  "unit\u001fseparator",
  "null",
  '"leading quote',
];
const COUNT = 1300;
const SORTS = ["created_at", "name", "size", "status", "disk_format", "container_format", "id"] as const;

const imagesFor = (schema: "current" | "2011", count = COUNT): TestImage[] =>
  Array.from({ length: count }, (_, i) => ({
    id: schema === "current" ? `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}` : String(i + 1),
    name: i % 5 === 0 ? (HOSTILE[(i / 5) % HOSTILE.length] ?? null) : `image-${(i * 7919) % count}`,
    disk_format: i === 700 ? "qcow2, really" : ["qcow2", "raw", "vmdk", "iso"][i % 4] ?? "raw",
    container_format: i % 9 === 0 ? "ovf" : "bare",
    size: i % 13 === 0 ? null : 1000 + ((i * 31) % 500),
    status: ["active", "queued", "saving", "killed"][i % 4] ?? "active",
    checksum: `c${i}`.padEnd(32, "0"),
    public: i % 3 === 0,
    // Runs of equal timestamps: ties are broken by id, as Glance's own listing does.
    created_at: `2011-12-${String(10 + Math.floor(i / 100)).padStart(2, "0")} 10:00:00`,
    deleted: i % 17 === 0,
    owner: i % 7 === 0 ? null : `project-${i % 3}`,
    deleted_at: i % 17 === 0 ? `2011-12-${String(10 + Math.floor(i / 100)).padStart(2, "0")} 12:00:00` : null,
  }));

let server: MariaDb;
const fixtures: Record<string, { connection: string; images: TestImage[]; schema: "current" | "2011"; engine: "sqlite" | "mariadb" }> = {};

beforeAll(async () => {
  server = await startMariaDb();
  for (const schema of ["current", "2011"] as const) {
    const images = imagesFor(schema);
    fixtures[`sqlite ${schema}`] = { connection: sqliteGlanceDb(schema, images), images, schema, engine: "sqlite" };
    fixtures[`mariadb ${schema}`] = { connection: mariaGlanceDb(server, schema, `glance_listing_${schema}`, images), images, schema, engine: "mariadb" };
  }
  // The same images, nine in ten of them deleted: MariaDB's listing then reads ix_images_deleted
  // (see listingSource). Fresh statistics on both, so that the choice does not wait on InnoDB's.
  server.sql(
    "CREATE DATABASE glance_listing_deleted; CREATE TABLE glance_listing_deleted.images LIKE glance_listing_current.images; INSERT INTO glance_listing_deleted.images SELECT * FROM glance_listing_current.images;" +
      " UPDATE glance_listing_deleted.images SET deleted = 1 WHERE id NOT LIKE '%0'; ANALYZE TABLE glance_listing_current.images, glance_listing_deleted.images;",
  );
  const current = fixtures["mariadb current"];
  // More images than two of SQLite's pages (2,000 rows each, see sqlitePages), in 2011.3's id order.
  const many = imagesFor("2011", 4700);
  fixtures["sqlite 2011 many"] = { connection: sqliteGlanceDb("2011", many), images: many, schema: "2011", engine: "sqlite" };
  // The same, nine in ten deleted: a listing by id then reads ix_images_deleted (see sqliteReading).
  const mostlyDeleted = many.map((image, i) => (i % 10 === 0 ? image : { ...image, deleted: true }));
  fixtures["sqlite 2011 many deleted"] = { connection: sqliteGlanceDb("2011", mostlyDeleted), images: mostlyDeleted, schema: "2011", engine: "sqlite" };
  // More than a short listing's 10,000 (a longer --limit reads ranges of rowids in 2011.3's id
  // order, see sqliteRowidRanges), with gaps in the ids: one wider than a page, one of a single id,
  // and a last id far beyond the rest.
  const gapped = imagesFor("2011", 14_000).filter((image) => !(Number(image.id) >= 2 && Number(image.id) <= 2999) && image.id !== "3500");
  gapped.push({ ...(gapped[10] as TestImage), id: "1000000" });
  fixtures["sqlite 2011 gaps"] = { connection: sqliteGlanceDb("2011", gapped), images: gapped, schema: "2011", engine: "sqlite" };
  // Plain names (SQLite joins a page of them and it is printed as it is, see plainTablePage), some
  // of them NULL, and one hostile name in the second page only (that page is split into its lines).
  const plain = many.map((image, i) => ({ ...image, name: i === 2500 ? "\u001b[31mred\u001b[0m" : i % 50 === 1 ? null : `image-${i}` }));
  fixtures["sqlite 2011 plain"] = { connection: sqliteGlanceDb("2011", plain), images: plain, schema: "2011", engine: "sqlite" };
  if (current !== undefined) fixtures["mariadb mostly deleted"] = { ...current, connection: current.connection.replace(/glance_listing_current$/u, "glance_listing_deleted") };
}, 600_000);
afterAll(async () => server?.stop());

type Row = { id: string; name: string | null; disk_format: string | null; container_format: string | null; size: number | null; status: string; checksum: string | null; visibility: string; created_at: string; deleted: boolean };

/** Plain SQL on a fixture, run by the engine's own client library, not by index. */
const query = async (name: string, sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> => {
  const fixture = fixtures[name];
  if (fixture === undefined) throw new Error(name);
  if (fixture.engine === "sqlite") {
    const db = new Database(fixture.connection.replace(/^sqlite:\/\//u, ""), { readonly: true });
    const rows = db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
    db.close();
    return rows;
  }
  const connection = await createConnection({ uri: fixture.connection, dateStrings: true });
  const rows = (await connection.query(sql, params))[0] as Array<Record<string, unknown>>;
  await connection.end();
  return rows;
};

const isJoined = (page: unknown): page is JoinedLines => typeof page === "object" && page !== null && "bytes" in page && "count" in page;

const visibilityOf = (name: string): string => (fixtures[name]?.schema === "current" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END");

/** The plain SQL of the same listing. */
const plainQuery = async (name: string, sort: string, dir: "asc" | "desc", all: boolean, where: string[] = [], params: unknown[] = []): Promise<Row[]> => {
  const key = sort === "size" ? "COALESCE(size, -1)" : ["name", "disk_format", "container_format"].includes(sort) ? `COALESCE(${sort}, '')` : sort;
  const clauses = [...(all ? [] : ["deleted = 0"]), ...where];
  const sql = `SELECT id, name, disk_format, container_format, size, status, checksum, ${visibilityOf(name)} AS visibility, created_at, deleted FROM images${clauses.length > 0 ? ` WHERE ${clauses.join(" AND ")}` : ""} ORDER BY ${key} ${dir}, id ${dir}`;
  const rows = await query(name, sql, params);
  return rows.map((r) => ({
    id: String(r.id),
    name: (r.name as string | null) ?? null,
    disk_format: (r.disk_format as string | null) ?? null,
    container_format: (r.container_format as string | null) ?? null,
    size: r.size === null ? null : Number(r.size),
    status: String(r.status),
    checksum: (r.checksum as string | null) ?? null,
    visibility: String(r.visibility),
    created_at: String(r.created_at),
    deleted: Boolean(Number(r.deleted)),
  }));
};

const index = (name: string, ...args: string[]) => {
  const result = runCli(["index", "--connection", fixtures[name]?.connection ?? "", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

const readCsv = (text: string): Array<Record<string, string>> => {
  const parsed = spawnSync("python3", ["-c", "import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline='')))))"], {
    input: text,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(parsed.stdout) as Array<Record<string, string>>;
};

const asCsv = (row: Row): Record<string, string> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? "" : String(v)]));

const tableLines = (rows: Row[]): string[] =>
  rows.map((r) =>
    [
      terminalSafe(r.id).padEnd(36),
      terminalSafe(r.name ?? "").padEnd(30),
      terminalSafe(r.disk_format ?? "").padEnd(20),
      terminalSafe(r.container_format ?? "").padEnd(20),
      (r.size === null ? "" : String(r.size)).padStart(14),
      terminalSafe(r.status),
    ]
      .join(" ")
      .trimEnd(),
  );

const NAMES = ["sqlite current", "sqlite 2011", "mariadb current", "mariadb 2011"];

describe.each(NAMES)("index on %s", (name) => {
  it.each(SORTS.flatMap((sort) => (["asc", "desc"] as const).map((dir) => [sort, dir] as const)))("sorted by %s %s: JSON, CSV and the table equal a plain SQL query, row for row", async (sort, dir) => {
    const all = sort === "id";
    const expected = await plainQuery(name, sort, dir, all);
    expect(expected.length).toBeGreaterThan(1000);
    const args = ["--sort", `${sort}:${dir}`, ...(all ? ["--all"] : [])];
    expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
    expect(readCsv(index(name, "-f", "csv", ...args))).toEqual(expected.map(asCsv));
    const table = index(name, "-f", "table", ...args).split("\n");
    expect(table.slice(2, -1)).toEqual(tableLines(expected));
  });

  it("pages with --limit and --marker join up to the whole listing, in every format", async () => {
    const whole = await plainQuery(name, "created_at", "desc", false);
    const paged: Row[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10 && paged.length < whole.length; page++) {
      const batch = JSON.parse(index(name, "-f", "json", "--limit", "400", ...(marker === undefined ? [] : ["--marker", marker]))) as Row[];
      paged.push(...batch);
      marker = batch.at(-1)?.id;
    }
    expect(paged).toEqual(whole);
    expect(readCsv(index(name, "-f", "csv", "--limit", "20"))).toEqual(whole.slice(0, 20).map(asCsv));
    expect(index(name, "-f", "table", "--limit", "20").split("\n").slice(2, -1)).toEqual(tableLines(whole.slice(0, 20)));
  });
});

describe.each(NAMES)("auditing %s", (name) => {
  const ids = (stdout: string): string[] => (JSON.parse(stdout) as Row[]).map((r) => r.id);

  it.each([
    ["--owner", ["--owner", "project-1"], ["owner = ?"], ["project-1"], false],
    ["--visibility public", ["--visibility", "public"], [], [], false],
    ["--visibility private", ["--visibility", "private"], [], [], false],
    ["--created-since", ["--created-since", "2011-12-15"], ["created_at >= ?"], ["2011-12-15 00:00:00"], false],
    ["--created-since with a time", ["--created-since", "2011-12-15T10:00"], ["created_at >= ?"], ["2011-12-15 10:00:00"], false],
    ["--deleted-since (with --all)", ["--all", "--deleted-since", "2011-12-14"], ["deleted_at >= ?"], ["2011-12-14 00:00:00"], true],
    ["--min-size and --max-size", ["--min-size", "1100", "--max-size", "1300"], ["size >= ?", "size <= ?"], [1100, 1300], false],
    ["every filter with a limit", ["--owner", "project-2", "--min-size", "1200", "--limit", "7"], ["owner = ?", "size >= ?"], ["project-2", 1200], false],
  ] as Array<[string, string[], string[], unknown[], boolean]>)("%s selects in SQL what a plain query selects", async (_label, args, where, params, all) => {
    const visibility = args.includes("--visibility") ? args[args.indexOf("--visibility") + 1] : undefined;
    const clauses = [...where];
    if (visibility !== undefined) clauses.push(fixtures[name]?.schema === "current" ? `visibility = '${visibility === "private" ? "shared" : visibility}'` : `is_public = ${visibility === "public" ? 1 : 0}`);
    const args2 = fixtures[name]?.schema === "current" && visibility === "private" ? args.map((a) => (a === "private" ? "shared" : a)) : args;
    let expected = await plainQuery(name, "created_at", "desc", all, clauses, params);
    const limit = args.includes("--limit") ? Number(args[args.indexOf("--limit") + 1]) : undefined;
    if (limit !== undefined) expected = expected.slice(0, limit);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(index(name, "-f", "json", ...args2))).toEqual(expected.map((r) => r.id));
    expect(readCsv(index(name, "-f", "csv", ...args2)).map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(index(name, "-f", "table", ...args2).split("\n").slice(2, -1)).toHaveLength(expected.length);
  });

  it("refuses a date or a size that does not exist, and prints nothing", () => {
    for (const args of [["--created-since", "2011-02-31"], ["--created-since", "2011-12-15T25:00"], ["--all", "--deleted-since", "2011-12-15T10:00:60"], ["--created-since", "15/12/2011"], ["--min-size", "-1"], ["--max-size", "1.5"]]) {
      const result = runCli(["index", "--connection", fixtures[name]?.connection ?? "", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/bad-date|bad-size/u);
      expect(result.stdout).toBe("");
    }
    expect(runCli(["index", "--connection", fixtures[name]?.connection ?? "", "--created-since", "2012-02-29T23:59:59"]).code).toBe(0);
  });

  it("--columns picks fields in the order given, in every format, as a plain query reads them", async () => {
    const columns = fixtures[name]?.schema === "current" ? ["owner", "id", "visibility", "min_disk", "protected", "deleted_at", "size"] : ["owner", "id", "is_public", "min_ram", "deleted_at", "size"];
    const raw = await query(name, `SELECT ${columns.map((c) => (c === "id" ? "CAST(id AS CHAR) AS id" : c)).join(", ")} FROM images ORDER BY created_at DESC, images.id DESC`);
    const expected = raw.map((r) =>
      Object.fromEntries(columns.map((c) => [c, r[c] === null ? null : ["protected", "is_public"].includes(c) ? Boolean(Number(r[c])) : ["min_disk", "min_ram", "size"].includes(c) ? Number(r[c]) : String(r[c] as string | number)])),
    );
    const args = ["--all", "--columns", columns.join(",")];
    expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
    const csv = index(name, "-f", "csv", ...args);
    expect(csv.split("\r\n")[0]).toBe(columns.join(","));
    expect(readCsv(csv)).toEqual(expected.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "" : String(v)]))));
    const table = index(name, "-f", "table", ...args).split("\n");
    expect(table[0]?.split(/\s+/u)).toEqual(columns);
    expect(table.slice(2, -1)).toHaveLength(expected.length);
  });

  it("refuses an unknown column with the list of this schema's columns, and location by name", () => {
    const result = runCli(["index", "--connection", fixtures[name]?.connection ?? "", "--columns", "id,nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("has no column nope");
    expect(result.stderr).toContain(fixtures[name]?.schema === "current" ? "os_hash_value" : "is_public");
    expect(result.stdout).toBe("");
    if (fixtures[name]?.schema === "2011") expect(runCli(["index", "--connection", fixtures[name]?.connection ?? "", "--columns", "location"]).stderr).toContain("never listed");
  });

  it("--summary counts and sums what SQL aggregates give", async () => {
    const summary = JSON.parse(index(name, "-f", "json", "--summary")) as Array<{ group: string; value: string | null; images: number; size: number }>;
    for (const [group, sql] of [["status", "status"], ["visibility", visibilityOf(name)], ["disk_format", "disk_format"]] as const) {
      const rows = await query(name, `SELECT ${sql} AS v, COUNT(*) AS n, COALESCE(SUM(size), 0) AS s FROM images WHERE deleted = 0 GROUP BY ${sql}`);
      const expected = rows.map((r) => ({ group, value: r.v === null ? null : String(r.v as string), images: Number(r.n), size: Number(r.s) })).sort((a, b) => String(a.value).localeCompare(String(b.value)));
      expect(summary.filter((s) => s.group === group).sort((a, b) => String(a.value).localeCompare(String(b.value)))).toEqual(expected);
    }
    const owned = JSON.parse(index(name, "-f", "json", "--summary", "--owner", "project-0")) as Array<{ group: string; images: number }>;
    const [count] = await query(name, "SELECT COUNT(*) AS n FROM images WHERE deleted = 0 AND owner = 'project-0'");
    expect(owned.filter((s) => s.group === "status").reduce((sum, s) => sum + s.images, 0)).toBe(Number(count?.n));
  });
});

describe("MariaDB's reading of deleted = 0", () => {
  const sourceOf = async (name: string, options: Partial<ListOptions> = {}): Promise<string> => {
    const db = await openDatabase(parseConnection(fixtures[name]?.connection ?? ""));
    try {
      return await listingSource(db, await detectSchema(db), { all: false, limit: undefined, marker: undefined, sortKey: "created_at", sortDir: "desc", name: undefined, status: undefined, ...options });
    } finally {
      await db.close();
    }
  };

  it("scans the table when most images are live, reads ix_images_deleted when most are deleted, and lists the same rows either way", async () => {
    expect(await sourceOf("mariadb current")).toBe(" FROM images IGNORE INDEX (`ix_images_deleted`)");
    expect(await sourceOf("mariadb current", { sortKey: "name", limit: 20 })).toContain("IGNORE INDEX");
    expect(await sourceOf("mariadb mostly deleted")).toBe(" FROM images");
    // Not for --all, which has no deleted = 0, nor for a short listing in an indexed order.
    expect(await sourceOf("mariadb current", { all: true })).toBe(" FROM images");
    expect(await sourceOf("mariadb current", { sortKey: "created_at", limit: 20 })).toBe(" FROM images");
    // Nor when MariaDB reads the filtered statement through another index (the newest day of
    // thirteen, through created_at's): the count is then skipped.
    expect(await sourceOf("mariadb current", { createdSince: "2011-12-22 00:00:00" })).toBe(" FROM images");
    const recent = (await query("mariadb current", `SELECT id FROM images WHERE deleted = 0 AND created_at >= '2011-12-22 00:00:00' ORDER BY created_at DESC, id DESC`)).map((r) => r.id);
    expect(recent.length).toBeGreaterThan(50);
    expect((JSON.parse(index("mariadb current", "-f", "json", "--created-since", "2011-12-22T00:00")) as Row[]).map((r) => r.id)).toEqual(recent);
    for (const name of ["mariadb current", "mariadb mostly deleted"]) {
      for (const [sort, dir] of [["name", "asc"], ["created_at", "desc"], ["size", "desc"]] as const) {
        const expected = await plainQuery(name, sort, dir, false);
        expect(expected.length).toBeGreaterThan(name === "mariadb current" ? 1000 : 100);
        expect(JSON.parse(index(name, "-f", "json", "--sort", `${sort}:${dir}`))).toEqual(expected);
        expect(JSON.parse(index(name, "-f", "json", "--sort", `${sort}:${dir}`, "--limit", "20"))).toEqual(expected.slice(0, 20));
      }
      const summary = JSON.parse(index(name, "-f", "json", "--summary")) as Array<{ group: string; images: number }>;
      const [live] = await query(name, "SELECT COUNT(*) AS n FROM images WHERE deleted = 0");
      expect(summary.filter((s) => s.group === "status").reduce((sum, s) => sum + s.images, 0)).toBe(Number(live?.n));
    }
  });
});

describe("index --summary in one scan", () => {
  type Summary = Array<{ group: string; value: string | null; images: number; size: number }>;
  const aggregates = async (name: string, all: boolean): Promise<Summary> => {
    const out: Summary = [];
    for (const [group, sql] of [["status", "status"], ["visibility", visibilityOf(name)], ["disk_format", "disk_format"]] as const) {
      const rows = await query(name, `SELECT ${sql} AS v, COUNT(*) AS n, COALESCE(SUM(size), 0) AS s FROM images${all ? "" : " WHERE deleted = 0"} GROUP BY ${sql}`);
      out.push(...rows.map((r) => ({ group, value: r.v === null ? null : String(r.v as string), images: Number(r.n), size: Number(r.s) })));
    }
    return out;
  };
  const byValue = (rows: Summary): Summary => [...rows].sort((a, b) => a.group.localeCompare(b.group) || String(a.value).localeCompare(String(b.value)));

  // Most images live and most deleted: SQLite scans the table or reads ix_images_deleted, MariaDB likewise (fromFor).
  it.each(["sqlite 2011 many", "sqlite 2011 many deleted", "mariadb current", "mariadb mostly deleted"])("on %s, with and without --all, gives what three GROUP BYs give, most images first", async (name) => {
    for (const all of [false, true]) {
      const summary = JSON.parse(index(name, "-f", "json", "--summary", ...(all ? ["--all"] : []))) as Summary;
      expect(byValue(summary)).toEqual(byValue(await aggregates(name, all)));
      for (const group of ["status", "visibility", "disk_format"]) {
        const counts = summary.filter((s) => s.group === group).map((s) => s.images);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
      }
    }
  });
});

describe("SQLite's listing in pages", () => {
  const OPTIONS: ListOptions = { all: false, limit: undefined, marker: undefined, sortKey: "id", sortDir: "asc", name: undefined, status: undefined };
  const withSqlite = async <T>(name: string, use: (db: Extract<Awaited<ReturnType<typeof openDatabase>>, { kind: "sqlite" }>) => Promise<T>): Promise<T> => {
    const db = await openDatabase(parseConnection(fixtures[name]?.connection ?? ""));
    if (db.kind !== "sqlite") throw new Error(name);
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  };
  const reading = (name: string, options: Partial<ListOptions>, format: "csv" | "json" | "table" = "table") =>
    withSqlite(name, async (db) => {
      const schema = await detectSchema(db);
      return sqliteReading(db, schema, { ...OPTIONS, ...options }, format, format === "table" ? tableColumns(schema, undefined) : resolveColumns(schema, undefined));
    });
  const inPages = async (name: string, options: Partial<ListOptions>, format: "csv" | "json" | "table" = "table") => (await reading(name, options, format)).inPages;

  it("pages where SQLite reads an index in order, one statement where it sorts", async () => {
    for (const format of ["csv", "json", "table"] as const) {
      expect(await inPages("sqlite 2011", {}, format)).toBe(true);
      expect(await inPages("sqlite 2011", { all: true, sortDir: "desc" }, format)).toBe(true);
      expect(await inPages("sqlite 2011", { sortKey: "name" }, format)).toBe(false);
      // The current schema's ids are text, beside the rowid: a whole listing sorts them.
      expect(await inPages("sqlite current", {}, format)).toBe(false);
      // A short listing walks the key's index; created_at's holds no id, so ties are sorted.
      expect(await inPages("sqlite current", { limit: 20 }, format)).toBe(true);
      expect(await inPages("sqlite current", { sortKey: "created_at", sortDir: "desc", limit: 20 }, format)).toBe(false);
      // A short listing SQLite sorts keeps only keys and rowids in its sorter; a whole one, every line.
      expect((await reading("sqlite 2011", { sortKey: "created_at", sortDir: "desc", limit: 20 }, format)).keysOnly).toBe(true);
      expect((await reading("sqlite 2011", { sortKey: "created_at", sortDir: "desc" }, format)).keysOnly).toBe(false);
      expect((await reading("sqlite 2011", { limit: 20 }, format)).keysOnly).toBe(false);
    }
  });

  it.each([
    ["asc", false],
    ["desc", false],
    ["asc", true],
    ["desc", true],
  ] as const)("over several pages, by id %s (--all: %s): JSON, CSV and the table equal a plain SQL query", async (dir, all) => {
    const name = "sqlite 2011 many";
    expect(await inPages(name, { sortDir: dir, all })).toBe(true);
    const expected = await plainQuery(name, "id", dir, all);
    expect(expected.length).toBeGreaterThan(4000);
    const args = ["--sort", `id:${dir}`, ...(all ? ["--all"] : [])];
    expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
    expect(readCsv(index(name, "-f", "csv", ...args))).toEqual(expected.map(asCsv));
    expect(index(name, "-f", "table", ...args).split("\n").slice(2, -1)).toEqual(tableLines(expected));
  });

  it("walks 2011.3's table in id order when most images are live, ix_images_deleted when most are deleted, and lists the same rows either way", async () => {
    expect(await reading("sqlite 2011 many", {})).toEqual({ inRanges: true, inPages: true, walk: true, keysOnly: false, scan: false, filterIndex: false, tableScan: false });
    expect(await reading("sqlite 2011 many deleted", {})).toEqual({ inRanges: false, inPages: true, walk: false, keysOnly: false, scan: false, filterIndex: false, tableScan: false });
    // Not for --all, which has no deleted = 0, nor for another key, nor for the current schema's text ids.
    expect((await reading("sqlite 2011 many", { all: true })).walk).toBe(false);
    expect((await reading("sqlite 2011 many", { sortKey: "name" })).walk).toBe(false);
    expect((await reading("sqlite current", {})).walk).toBe(false);
    for (const name of ["sqlite 2011 many", "sqlite 2011 many deleted"])
      for (const dir of ["asc", "desc"] as const) {
        const expected = await plainQuery(name, "id", dir, false);
        expect(expected.length).toBeGreaterThan(name.endsWith("deleted") ? 400 : 4000);
        expect(JSON.parse(index(name, "-f", "json", "--sort", `id:${dir}`))).toEqual(expected);
        expect(index(name, "-f", "table", "--sort", `id:${dir}`).split("\n").slice(2, -1)).toEqual(tableLines(expected));
      }
  });

  it("walks 2011.3's ids in ranges of rowids, untagged, for the table and JSON (not CSV, whose odd lines are common), over gaps in the ids", async () => {
    expect((await reading("sqlite 2011 many", {}, "json")).inRanges).toBe(true);
    expect((await reading("sqlite 2011 many", { sortDir: "desc" }, "table")).inRanges).toBe(true);
    expect((await reading("sqlite 2011 many", {}, "csv")).inRanges).toBe(false);
    expect((await reading("sqlite 2011 many", { all: true }, "table")).inRanges).toBe(false);
    expect((await reading("sqlite 2011 many", { limit: 20 }, "table")).inRanges).toBe(false);
    const name = "sqlite 2011 gaps";
    expect((await reading(name, {}, "table")).inRanges).toBe(true);
    for (const dir of ["asc", "desc"] as const) {
      const whole = await plainQuery(name, "id", dir, false);
      expect(whole.length).toBeGreaterThan(10_000);
      expect(JSON.parse(index(name, "-f", "json", "--sort", `id:${dir}`))).toEqual(whole);
      expect(index(name, "-f", "table", "--sort", `id:${dir}`).split("\n").slice(2, -1)).toEqual(tableLines(whole));
      // Markers just before each gap and at the far last id; limits that end inside a page or past
      // the end, short ones (read otherwise, see walksRowid) and long ones (ranges).
      for (const marker of ["3000", "3499", "3501", "4700", "1000000"])
        for (const limit of [700, 10_001, 12_000]) {
          const from = whole.findIndex((r) => r.id === marker) + 1;
          expect(from).toBeGreaterThan(0);
          const args = ["--sort", `id:${dir}`, "--marker", marker, "--limit", String(limit)];
          expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(whole.slice(from, from + limit));
          expect(index(name, "-f", "table", ...args).split("\n").slice(2, -1)).toEqual(tableLines(whole.slice(from, from + limit)));
        }
    }
  });

  it("a page of untagged lines finds the rows of its odd lines (hostile names) by their ids or by its range's rowids", async () => {
    const name = "sqlite 2011 many";
    const rows = await query(name, "SELECT id, name, status FROM images WHERE deleted = 0 ORDER BY id");
    const hostile = rows.filter((r) => typeof r.name === "string" && terminalSafe(r.name) !== r.name);
    expect(hostile.length).toBeGreaterThan(100);
    // The id first: the rowids come from the lines themselves.
    const idFirst = rows.map((r) => `${String(r.id).padEnd(36)} ${terminalSafe((r.name as string | null) ?? "").padEnd(30)} ${String(r.status)}`.trimEnd());
    expect(index(name, "-f", "table", "--sort", "id:asc", "--columns", "id,name,status").split("\n").slice(2, -1)).toEqual(idFirst);
    // The id elsewhere: from the range, asked again.
    const idLater = rows.map((r) => `${terminalSafe((r.name as string | null) ?? "").padEnd(30)} ${String(r.id).padEnd(36)} ${String(r.status)}`.trimEnd());
    expect(index(name, "-f", "table", "--sort", "id:asc", "--columns", "name,id,status").split("\n").slice(2, -1)).toEqual(idLater);
    expect(index(name, "-f", "table", "--sort", "id:desc", "--columns", "name,id,status").split("\n").slice(2, -1)).toEqual([...idLater].reverse());
    // The tags are the page's just read: asked of an earlier page, they would be another page's.
    await withSqlite(name, async (db) => {
      const schema = await detectSchema(db);
      const listing = await listImageLines(db, schema, OPTIONS, "table", tableColumns(schema, undefined));
      if (listing.engine !== "sqlite" || listing.tagsOf === undefined || listing.split === undefined) throw new Error("a listing in ranges");
      const pages = listing.lines[Symbol.iterator]();
      const page: unknown = pages.next().value;
      if (page === undefined || Array.isArray(page) || !isJoined(page)) throw new Error("a joined page");
      const first = listing.split(page);
      expect(first).toHaveLength(page.count);
      expect(listing.tagsOf(first)).toEqual(rows.slice(0, first.length).map((r) => String(r.id)));
      pages.next();
      expect(() => listing.tagsOf?.(first)).toThrow(/after the next page/u);
      expect(() => listing.split?.(page)).toThrow(/after the next page/u);
      pages.return?.();
    });
  });

  it("a joined page of plain lines is printed as SQLite made it, its trailing spaces dropped; a page with a line to escape is split into its lines", async () => {
    const name = "sqlite 2011 plain";
    expect((await reading(name, {}, "table")).inRanges).toBe(true);
    for (const dir of ["asc", "desc"] as const) {
      const whole = await plainQuery(name, "id", dir, false);
      expect(whole.filter((r) => r.name === null).length).toBeGreaterThan(50);
      expect(whole.filter((r) => r.name !== null && terminalSafe(r.name) !== r.name)).toHaveLength(1);
      expect(JSON.parse(index(name, "-f", "json", "--sort", `id:${dir}`))).toEqual(whole);
      expect(index(name, "-f", "table", "--sort", `id:${dir}`).split("\n").slice(2, -1)).toEqual(tableLines(whole));
      // A NULL name last: its line ends in the id's padding, which the table drops.
      const idName = whole.map((r) => `${r.id.padEnd(36)} ${terminalSafe(r.name ?? "")}`.trimEnd());
      expect(index(name, "-f", "table", "--sort", `id:${dir}`, "--columns", "id,name").split("\n").slice(2, -1)).toEqual(idName);
      const nameId = whole.map((r) => `${terminalSafe(r.name ?? "").padEnd(30)} ${r.id}`);
      expect(index(name, "-f", "table", "--sort", `id:${dir}`, "--columns", "name,id").split("\n").slice(2, -1)).toEqual(nameId);
    }
  });

  it("a short listing SQLite sorts reads its keys from the table when most images are live, through ix_images_deleted when most are deleted, and lists the same rows either way", async () => {
    const options = { sortKey: "name", limit: 20 } as const;
    expect(await reading("sqlite 2011 many", options)).toMatchObject({ keysOnly: true, scan: true });
    expect(await reading("sqlite 2011 many deleted", options)).toMatchObject({ keysOnly: true, scan: false });
    expect(await reading("sqlite 2011 many", { ...options, all: true })).toMatchObject({ keysOnly: true, scan: false });
    // created_at's index gives the order (its ties sorted): that walk has its own +deleted.
    expect(await reading("sqlite current", { sortKey: "created_at", limit: 20 })).toMatchObject({ keysOnly: true, walk: true, scan: false });
    for (const name of ["sqlite 2011 many", "sqlite 2011 many deleted"])
      for (const dir of ["asc", "desc"] as const) {
        const expected = (await plainQuery(name, "name", dir, false)).slice(0, 20);
        expect(expected).toHaveLength(20);
        const args = ["--sort", `name:${dir}`, "--limit", "20"];
        expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
        expect(index(name, "-f", "table", ...args).split("\n").slice(2, -1)).toEqual(tableLines(expected));
      }
  });

  it("a filtered listing SQLite sorts reads the filter's index, or scans the table, when most images are live, and lists what a plain query lists", async () => {
    const sorted = { sortKey: "created_at", sortDir: "desc" } as const;
    // owner leads an index on the current schema, not on 2011.3's; visibility's and is_public's
    // indexes (four values, two) are never read for a listing: the table is scanned.
    expect(await reading("sqlite current", { ...sorted, owner: "project-1" })).toMatchObject({ filterIndex: true, tableScan: false });
    expect(await reading("sqlite current", { ...sorted, owner: "project-1", visibility: "public" })).toMatchObject({ filterIndex: true, tableScan: false });
    expect(await reading("sqlite 2011", { ...sorted, owner: "project-1" })).toMatchObject({ filterIndex: false, tableScan: true });
    expect(await reading("sqlite 2011", { ...sorted, visibility: "public" })).toMatchObject({ filterIndex: false, tableScan: true });
    expect(await reading("sqlite current", { ...sorted, visibility: "public" })).toMatchObject({ filterIndex: false, tableScan: true });
    expect(await reading("sqlite current", { ...sorted, minSize: 1200 })).toMatchObject({ filterIndex: false, tableScan: true });
    expect(await reading("sqlite current", { ...sorted, all: true, deletedSince: "2011-12-14 00:00:00" })).toMatchObject({ filterIndex: false, tableScan: true });
    // Most images deleted: ix_images_deleted is the better read; no filter: the listing as before.
    expect(await reading("sqlite 2011 many deleted", { ...sorted, owner: "project-1" })).toMatchObject({ filterIndex: false, tableScan: false });
    expect(await reading("sqlite 2011 many", sorted)).toMatchObject({ filterIndex: false, tableScan: false });
    for (const name of ["sqlite 2011 many", "sqlite 2011 many deleted"])
      for (const [args, where, params] of [
        [["--owner", "project-1"], ["owner = ?"], ["project-1"]],
        [["--visibility", "public"], ["is_public = 1"], []],
        [["--min-size", "1200", "--sort", "name:asc"], ["size >= ?"], [1200]],
      ] as Array<[string[], string[], unknown[]]>) {
        const sort = args.includes("--sort") ? (["name", "asc"] as const) : (["created_at", "desc"] as const);
        const expected = await plainQuery(name, sort[0], sort[1], false, where, params);
        expect(expected.length).toBeGreaterThan(10);
        expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
      }
    // An owner's public images: through owner's index, visibility's left aside.
    const expected = await plainQuery("sqlite current", "created_at", "desc", false, ["owner = ?", "visibility = ?"], ["project-0", "public"]);
    expect(expected.length).toBeGreaterThan(0);
    expect(JSON.parse(index("sqlite current", "-f", "json", "--owner", "project-0", "--visibility", "public"))).toEqual(expected);
  });

  it("a table line whose last column is empty ends without its padding", async () => {
    const name = "sqlite 2011 many";
    const rows = await query(name, "SELECT id, owner FROM images WHERE deleted = 0 ORDER BY id");
    expect(rows.filter((r) => r.owner === null).length).toBeGreaterThan(100);
    const expected = rows.map((r) => `${String(r.id).padEnd(36)} ${terminalSafe((r.owner as string | null) ?? "")}`.trimEnd());
    expect(index(name, "-f", "table", "--sort", "id:asc", "--columns", "id,owner").split("\n").slice(2, -1)).toEqual(expected);
  });

  it("--marker and --limit across pages, and at their edges, list what a plain query lists", async () => {
    const name = "sqlite 2011 many";
    const whole = await plainQuery(name, "id", "asc", false);
    for (const [from, limit] of [[0, 2000], [0, 2001], [0, 4000], [1500, 2500], [1999, 2], [3999, 5000]] as const) {
      const marker = from === 0 ? [] : ["--marker", whole[from - 1]?.id ?? ""];
      const expected = whole.slice(from, from + limit);
      const args = ["--sort", "id:asc", "--limit", String(limit), ...marker];
      expect(JSON.parse(index(name, "-f", "json", ...args))).toEqual(expected);
      expect(index(name, "-f", "table", ...args).split("\n").slice(2, -1)).toEqual(tableLines(expected));
    }
  });

  it("one snapshot: a write between two pages waits for the listing's end", async () => {
    const name = "sqlite 2011 many";
    const expected = await plainQuery(name, "id", "asc", false);
    const path = (fixtures[name]?.connection ?? "").replace(/^sqlite:\/\//u, "");
    const listed = await withSqlite(name, async (db) => {
      const schema = await detectSchema(db);
      const columns = resolveColumns(schema, undefined);
      const listing = await listImageLines(db, schema, OPTIONS, "json", columns);
      if (listing.engine !== "sqlite") throw new Error("sqlite");
      let text = "";
      let write: string | undefined;
      for await (const chunk of formatLines(listing, "json", columns, () => Promise.reject(new Error("no reread in JSON")))) {
        text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        if (write === undefined && text.length > 200_000) {
          // The last live image, on the last page, deleted while the first pages are being written.
          const writer = new Database(path, { timeout: 0 });
          try {
            writer.prepare("UPDATE images SET deleted = 1 WHERE id = ?").run(Number(expected.at(-1)?.id));
            write = "done";
          } catch (error) {
            write = (error as { code?: string }).code;
          } finally {
            writer.close();
          }
        }
      }
      expect(write).toBe("SQLITE_BUSY");
      return JSON.parse(text) as Row[];
    });
    expect(listed).toEqual(expected);
  });
});

describe("hostile names", () => {
  it.each(NAMES)("on %s: the table shows every control character escaped; CSV and JSON keep the exact bytes", (name) => {
    const table = index(name, "-f", "table", "--all", "--sort", "id:asc");
    // Nothing a terminal would act on reaches it: no C0 but the line feeds, no DEL, C1 or bidi control.
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
    expect(table).toContain("\\x1b[31mred\\x1b[0m");
    expect(table).toContain("bidi \\u202eevil\\u202c");
    expect(table).toContain("line\\nbreak");
    expect(table).toContain("back\\\\slash");
    const images = fixtures[name]?.images ?? [];
    const names = (JSON.parse(index(name, "-f", "json", "--all", "--sort", "id:asc")) as Row[]).map((r) => r.name);
    const sortedIds = [...images].sort((a, b) => (fixtures[name]?.schema === "2011" ? Number(a.id) - Number(b.id) : a.id.localeCompare(b.id)));
    expect(names).toEqual(sortedIds.map((i) => i.name));
    expect(readCsv(index(name, "-f", "csv", "--all", "--sort", "id:asc")).map((r) => r.name)).toEqual(sortedIds.map((i) => i.name ?? ""));
  });

  // MariaDB's listing is laid out from the server's bytes, SQLite's from the lines it builds: two
  // ways that must print the same bytes for the same images.
  it.each(["current", "2011"])("on %s's schema, MariaDB and SQLite print the same bytes in every format", (schema) => {
    for (const format of ["csv", "json", "table"]) {
      const listed = index(`mariadb ${schema}`, "-f", format, "--all", "--sort", "id:asc");
      expect(listed).toBe(index(`sqlite ${schema}`, "-f", format, "--all", "--sort", "id:asc"));
      expect(listed.length).toBeGreaterThan(COUNT * 20);
    }
  });

  it("the escaping can fail: a raw escape would be caught", () => {
    expect(terminalSafe("\u001b[2J")).toBe("\\x1b[2J");
    expect("\u001b[2J").toMatch(/[\u0000-\u0009\u000b-\u001f]/u);
  });
});

describe("index output", () => {
  it.each(["sqlite current", "mariadb current"])("on %s: stops quietly, with SIGPIPE's status, when the reader goes away (a pipe into head)", (name) => {
    const cli = `node dist/bin/glance-barclamp.cjs index --connection '${fixtures[name]?.connection ?? ""}' -f csv`;
    const result = spawnSync("bash", ["-c", `${cli} | head -3; exit \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(result.stdout.split("\r\n")).toHaveLength(4);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(141);
  });
});
