/**
 * CSV from SQLite takes its own path (one string per row from the driver, pages over an indexed
 * sort key, a worker thread in the built CLI for long listings). It must print the same bytes as
 * the general path, whatever the rows hold, the sort key, the page boundaries and the options.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { detectSchema, imageAt, listImageLines, listImages, type ListOptions } from "../../src/db/images.js";
import { formatCsvLines, formatIndex } from "../../src/db/index-format.js";
import { runCli } from "../helpers/cli.js";
import { sqliteGlanceDb, type TestImage } from "../helpers/glance-db.js";

const ODD = ['comma, "quoted"', "line\nbreak", "cr\rlf\r\n", " leading", "trailing\t", "nbsp\u00a0", "unit\u001fseparator", "ünïcødé ☁", "", null, 'x", "y'];
const COUNT = 2600;

const imagesFor = (schema: "current" | "2011"): TestImage[] =>
  Array.from({ length: COUNT }, (_, i) => ({
    id: schema === "current" ? `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}` : String(i + 1),
    name: i % 7 === 0 ? (ODD[(i / 7) % ODD.length] ?? null) : `image-${i}`,
    disk_format: i === 1500 ? "qcow2, really" : i % 2 === 0 ? "qcow2" : "raw",
    container_format: "bare",
    size: i % 13 === 0 ? null : 1000 + (i % 50),
    status: i % 11 === 0 ? "queued" : "active",
    checksum: `c${i}`.padEnd(32, "0"),
    public: i % 3 === 0,
    // Runs of equal timestamps, so that pages end in the middle of ties.
    created_at: `2011-12-${String(10 + Math.floor(i / 200)).padStart(2, "0")} 10:00:00`,
    deleted: i % 17 === 0,
  }));

const connections: Record<string, string> = {};
beforeAll(() => {
  connections.current = sqliteGlanceDb("current", imagesFor("current"));
  connections["2011"] = sqliteGlanceDb("2011", imagesFor("2011"));
}, 300_000);

const options = (overrides: Partial<ListOptions> = {}): ListOptions => ({
  all: false,
  limit: undefined,
  marker: undefined,
  sortKey: "created_at",
  sortDir: "desc",
  name: undefined,
  status: undefined,
  ...overrides,
});

const text = async (chunks: AsyncIterable<string>): Promise<string> => {
  let out = "";
  for await (const chunk of chunks) out += chunk;
  return out;
};

const withDb = async <T>(schema: string, body: (db: Database) => Promise<T>): Promise<T> => {
  const db = await openDatabase({ kind: "sqlite", path: (connections[schema] ?? "").replace(/^sqlite:\/\//u, "") });
  try {
    return await body(db);
  } finally {
    await db.close();
  }
};

const general = (schema: string, list: ListOptions) =>
  withDb(schema, async (db) => text(formatIndex(await listImages(db, (await detectSchema(db)).kind, list), "csv")));

const CASES: Array<[string, Partial<ListOptions>]> = [
  ["default order", {}],
  ["with deleted images", { all: true }],
  ["ascending", { sortDir: "asc" }],
  ["by id (the primary key's index)", { sortKey: "id", all: true }],
  ["by name (no index)", { sortKey: "name" }],
  ["by size (no index)", { sortKey: "size", sortDir: "asc" }],
  ["a limit across pages", { limit: 1500 }],
  ["a limit of one", { limit: 1 }],
  ["a status filter", { status: "queued", all: true }],
];

describe.each(["current", "2011"])("CSV text path on the %s schema", (schema) => {
  it.each(CASES)("prints what the general path prints: %s", async (_, overrides) => {
    const list = options(overrides);
    const expected = await general(schema, list);
    expect(expected.split("\r\n").length).toBeGreaterThan(1);
    const actual = await withDb(schema, async (db) => {
      const kind = (await detectSchema(db)).kind;
      const lines = await listImageLines(db, kind, list);
      if (lines === undefined) throw new Error("SQLite has a text path");
      return text(formatCsvLines(lines, (rowid) => imageAt(db, kind, rowid)));
    });
    expect(actual).toBe(expected);
  });

  it("the built CLI (a worker thread past the first page) prints the same bytes, with a marker too", async () => {
    const connection = connections[schema] ?? "";
    const marker = schema === "current" ? "00000000-0000-4000-8000-000000000900" : "900";
    for (const [args, list] of [
      [[], options()],
      [["--all", "--sort", "id:asc"], options({ all: true, sortKey: "id", sortDir: "asc" })],
      [["--limit", "2100", "--marker", marker], options({ limit: 2100, marker })],
    ] as Array<[string[], ListOptions]>) {
      const result = runCli(["index", "--connection", connection, "-f", "csv", ...args]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, args.join(" ")).toBe(await general(schema, list));
    }
  });
});

describe("CSV text path output", () => {
  it("is read back by Python's csv module as the rows that were stored", () => {
    const result = runCli(["index", "--connection", connections.current ?? "", "-f", "csv", "--all", "--sort", "id:asc"]);
    const parsed = spawnSync("python3", ["-c", "import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline='')))))"], {
      input: result.stdout,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const rows = JSON.parse(parsed.stdout) as Array<Record<string, string>>;
    const images = imagesFor("current");
    expect(rows).toHaveLength(images.length);
    rows.forEach((row, n) => {
      const image = images[n];
      expect(row.id).toBe(image?.id);
      expect(row.name).toBe(image?.name ?? "");
      expect(row.disk_format).toBe(image?.disk_format);
      expect(row.size).toBe(image?.size === null ? "" : String(image?.size));
      expect(row.deleted).toBe(String(image?.deleted));
    });
  });

  it("stops quietly, with SIGPIPE's status, when the reader goes away (a pipe into head)", () => {
    const cli = `node dist/bin/glance-barclamp.cjs index --connection '${connections.current ?? ""}' -f csv`;
    const result = spawnSync("bash", ["-c", `${cli} | head -3; exit \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(result.stdout.split("\r\n")).toHaveLength(4);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(141);
  });
});
