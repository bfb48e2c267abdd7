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
import { terminalSafe } from "../../src/db/index-format.js";
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
];
const COUNT = 1300;
const SORTS = ["created_at", "name", "size", "status", "disk_format", "container_format", "id"] as const;

const imagesFor = (schema: "current" | "2011"): TestImage[] =>
  Array.from({ length: COUNT }, (_, i) => ({
    id: schema === "current" ? `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}` : String(i + 1),
    name: i % 5 === 0 ? (HOSTILE[(i / 5) % HOSTILE.length] ?? null) : `image-${(i * 7919) % COUNT}`,
    disk_format: i === 700 ? "qcow2, really" : ["qcow2", "raw", "vmdk", "iso"][i % 4] ?? "raw",
    container_format: i % 9 === 0 ? "ovf" : "bare",
    size: i % 13 === 0 ? null : 1000 + ((i * 31) % 500),
    status: ["active", "queued", "saving", "killed"][i % 4] ?? "active",
    checksum: `c${i}`.padEnd(32, "0"),
    public: i % 3 === 0,
    // Runs of equal timestamps: ties are broken by id, as Glance's own listing does.
    created_at: `2011-12-${String(10 + Math.floor(i / 100)).padStart(2, "0")} 10:00:00`,
    deleted: i % 17 === 0,
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
}, 600_000);
afterAll(async () => server?.stop());

type Row = { id: string; name: string | null; disk_format: string | null; container_format: string | null; size: number | null; status: string; checksum: string | null; visibility: string; created_at: string; deleted: boolean };

/** The plain SQL of the same listing, run by the engine's own client library, not by index. */
const plainQuery = async (name: string, sort: string, dir: "asc" | "desc", all: boolean): Promise<Row[]> => {
  const fixture = fixtures[name];
  if (fixture === undefined) throw new Error(name);
  const visibility = fixture.schema === "current" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END";
  const key = sort === "size" ? "COALESCE(size, -1)" : ["name", "disk_format", "container_format"].includes(sort) ? `COALESCE(${sort}, '')` : sort;
  const sql = `SELECT id, name, disk_format, container_format, size, status, checksum, ${visibility} AS visibility, created_at, deleted FROM images${all ? "" : " WHERE deleted = 0"} ORDER BY ${key} ${dir}, id ${dir}`;
  let rows: Array<Record<string, unknown>>;
  if (fixture.engine === "sqlite") {
    const db = new Database(fixture.connection.replace(/^sqlite:\/\//u, ""), { readonly: true });
    rows = db.prepare(sql).all() as Array<Record<string, unknown>>;
    db.close();
  } else {
    const connection = await createConnection({ uri: fixture.connection, dateStrings: true });
    rows = (await connection.query(sql))[0] as Array<Record<string, unknown>>;
    await connection.end();
  }
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

  it("the escaping can fail: a raw escape would be caught", () => {
    expect(terminalSafe("\u001b[2J")).toBe("\\x1b[2J");
    expect("\u001b[2J").toMatch(/[\u0000-\u0009\u000b-\u001f]/u);
  });
});

describe("index output", () => {
  it("stops quietly, with SIGPIPE's status, when the reader goes away (a pipe into head)", () => {
    const cli = `node dist/bin/glance-barclamp.cjs index --connection '${fixtures["sqlite current"]?.connection ?? ""}' -f csv`;
    const result = spawnSync("bash", ["-c", `${cli} | head -3; exit \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(result.stdout.split("\r\n")).toHaveLength(4);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(141);
  });
});
