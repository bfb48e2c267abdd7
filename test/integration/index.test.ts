/**
 * `index` on both schemas (2011.3's is_public, the current visibility) and both engines (SQLite,
 * MariaDB), on databases created by the real schemas: deleted rows, sorting, paging, filters, CSV
 * quoting of odd names (read back by Python's csv module), and an empty database.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { mariaGlanceDb, sqliteGlanceDb, type TestImage } from "../helpers/glance-db.js";
import { startMariaDb, type MariaDb } from "../helpers/mariadb.js";

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const ODD_NAMES = ['comma, "quoted"', "line\nbreak", " leading space", "ünïcødé ☁", null, "plain"];

const imagesFor = (schema: "current" | "2011"): TestImage[] =>
  Array.from({ length: 12 }, (_, i) => ({
    id: schema === "current" ? uuid(i + 1) : String(i + 1),
    name: ODD_NAMES[i % ODD_NAMES.length] ?? null,
    disk_format: i % 2 === 0 ? "qcow2" : "raw",
    container_format: "bare",
    size: i === 3 ? null : 1000 * (12 - i),
    status: i === 11 ? "queued" : i >= 9 ? "deleted" : "active",
    checksum: `c${i}`.padEnd(32, "0"),
    public: i % 3 === 0,
    created_at: `2011-12-${String(10 + i).padStart(2, "0")} 10:00:00`,
    deleted: i >= 9 && i < 11,
  }));

let server: MariaDb;
const fixtures: Record<string, { connection: string; images: TestImage[] }> = {};
let emptyConnections: string[] = [];

beforeAll(async () => {
  server = await startMariaDb();
  for (const schema of ["current", "2011"] as const) {
    const images = imagesFor(schema);
    fixtures[`sqlite ${schema}`] = { connection: sqliteGlanceDb(schema, images), images };
    fixtures[`mariadb ${schema}`] = { connection: mariaGlanceDb(server, schema, `glance_${schema}`, images), images };
  }
  emptyConnections = [sqliteGlanceDb("current", []), mariaGlanceDb(server, "2011", "glance_empty", [])];
}, 300_000);
afterAll(async () => server?.stop());

const index = (connection: string, ...args: string[]) => runCli(["index", "--connection", connection, ...args]);
const ids = (stdout: string): string[] => (JSON.parse(stdout) as Array<{ id: string }>).map((i) => i.id);

describe.each(["sqlite current", "sqlite 2011", "mariadb current", "mariadb 2011"])("index on %s", (name) => {
  const fixture = () => {
    const found = fixtures[name];
    if (found === undefined) throw new Error(`no fixture ${name}`);
    return found;
  };

  it("lists images newest first, hiding deleted ones unless --all", () => {
    const { connection, images } = fixture();
    const listed = index(connection, "-f", "json");
    expect(listed.code, listed.stderr).toBe(0);
    const live = images.filter((i) => !i.deleted).sort((a, b) => b.created_at.localeCompare(a.created_at));
    expect(ids(listed.stdout)).toEqual(live.map((i) => i.id));
    const all = index(connection, "-f", "json", "--all");
    expect(ids(all.stdout)).toHaveLength(images.length);
    const first = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).find((i) => i.id === images[0]?.id);
    expect(first).toMatchObject({ name: images[0]?.name, size: images[0]?.size, checksum: images[0]?.checksum, status: "active", visibility: "public", deleted: false });
  });

  it("sorts by a key and pages with --limit and --marker through every image", () => {
    const { connection, images } = fixture();
    const expected = ids(index(connection, "-f", "json", "--all", "--sort", "size:asc").stdout);
    expect(expected).toHaveLength(images.length);
    const sizes = expected.map((id) => images.find((i) => i.id === id)?.size ?? -1);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    const paged: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = index(connection, "-f", "json", "--all", "--sort", "size:asc", "--limit", "5", ...(marker === undefined ? [] : ["--marker", marker]));
      const batch = ids(result.stdout);
      paged.push(...batch);
      if (batch.length < 5) break;
      marker = batch[batch.length - 1];
    }
    expect(paged).toEqual(expected);
  });

  it("filters by name and status", () => {
    const { connection, images } = fixture();
    expect(ids(index(connection, "-f", "json", "--name", "plain").stdout)).toEqual(images.filter((i) => i.name === "plain" && !i.deleted).map((i) => i.id).reverse());
    expect(ids(index(connection, "-f", "json", "--status", "queued").stdout)).toEqual([images[11]?.id]);
    expect(ids(index(connection, "-f", "json", "--all", "--status", "deleted").stdout).sort()).toEqual(images.filter((i) => i.status === "deleted").map((i) => i.id).sort());
  });

  it("quotes odd names in CSV so that a CSV reader gets them back exactly", () => {
    const { connection, images } = fixture();
    const csv = index(connection, "-f", "csv", "--all");
    expect(csv.code).toBe(0);
    const parsed = spawnSync("python3", ["-c", "import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline='')))))"], {
      input: csv.stdout,
      encoding: "utf8",
    });
    const rows = JSON.parse(parsed.stdout) as Array<Record<string, string>>;
    expect(rows).toHaveLength(images.length);
    for (const image of images) expect(rows.find((r) => r.id === image.id)?.name).toBe(image.name ?? "");
  });

  it("prints Glance's index columns as a table", () => {
    const { connection } = fixture();
    const table = index(connection, "--limit", "2");
    expect(table.stdout.split("\n")[0]).toBe("ID                                   Name                           Disk Format          Container Format               Size Status");
    expect(table.stdout.trim().split("\n")).toHaveLength(4);
  });
});

describe("db status", () => {
  it("reports each schema's migration version and the number of images", () => {
    const current = runCli(["db", "status", "--connection", fixtures["sqlite current"]?.connection ?? "", "--json"]);
    expect(JSON.parse(current.stdout)).toMatchObject({ schema: "current", migrations: "alembic", images: { total: 12, active: 10 } });
    const old = runCli(["db", "status", "--connection", fixtures["mariadb 2011"]?.connection ?? "", "--json"]);
    expect(JSON.parse(old.stdout)).toMatchObject({ schema: "2011", migrations: "sqlalchemy-migrate", version: "9", images: { total: 12, active: 10 } });
    expect(old.stdout).not.toContain(server.adminPassword);
  });
});

describe("index on empty databases", () => {
  it("prints only the header, an empty JSON array, or a CSV header", () => {
    for (const connection of emptyConnections) {
      expect(index(connection).stdout.trim().split("\n")).toHaveLength(2);
      expect(index(connection, "-f", "json").stdout).toBe("[]\n");
      expect(index(connection, "-f", "csv").stdout).toBe("id,name,disk_format,container_format,size,status,checksum,visibility,created_at,deleted\r\n");
    }
  });

  it("says plainly when there is no Glance schema", () => {
    const result = runCli(["index", "--connection", `mysql://${server.adminUser}:${server.adminPassword}@127.0.0.1:${server.port}/mysql`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error[no-schema]: the database has no images table");
    expect(result.stderr).not.toContain(server.adminPassword);
  });
});
