/**
 * Reads Glance's image table directly, whichever schema it has: 2011.3's (integer ids, is_public)
 * or the current one (UUIDs, visibility), detected from the columns. Rows stream.
 */
import { failureError, usageError } from "../errors.js";
import type { Database } from "./database.js";

export type SchemaKind = "2011" | "current";

export interface SchemaInfo {
  kind: SchemaKind;
  /** alembic revision or sqlalchemy-migrate version; undefined before any migration. */
  version: string | undefined;
  tool: "alembic" | "sqlalchemy-migrate" | undefined;
}

export interface Image {
  id: string;
  name: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  status: string;
  checksum: string | null;
  visibility: string;
  created_at: string;
  deleted: boolean;
}

export const SORT_KEYS = ["created_at", "name", "size", "status", "disk_format", "container_format", "id"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListOptions {
  all: boolean;
  limit: number | undefined;
  marker: string | undefined;
  sortKey: SortKey;
  sortDir: "asc" | "desc";
  name: string | undefined;
  status: string | undefined;
}

export const detectSchema = async (db: Database): Promise<SchemaInfo> => {
  const tables = await db.tables();
  if (!tables.includes("images"))
    throw failureError("no-schema", "the database has no images table: Glance's schema is not there", {
      hint: "run glance-barclamp db sync (it runs the real glance-manage db_sync)",
    });
  const columns = await db.columns("images");
  const kind: SchemaKind = columns.includes("visibility") ? "current" : "2011";
  if (tables.includes("alembic_version")) {
    const rows = await db.all("SELECT version_num FROM alembic_version");
    return { kind, version: rows.map((r) => String(r.version_num)).join(","), tool: "alembic" };
  }
  if (tables.includes("migrate_version")) {
    const rows = await db.all("SELECT version FROM migrate_version");
    return { kind, version: rows[0] === undefined ? undefined : String(rows[0].version), tool: "sqlalchemy-migrate" };
  }
  return { kind, version: undefined, tool: undefined };
};

export const countImages = async (db: Database): Promise<{ total: number; active: number }> => {
  const rows = await db.all("SELECT COUNT(*) AS total, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END) AS active FROM images");
  return { total: Number(rows[0]?.total ?? 0), active: Number(rows[0]?.active ?? 0) };
};

const visibilityOf = (schema: SchemaKind): string =>
  schema === "current" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END";

/** A row of LIST_COLUMNS, in that order. */
const toImage = (row: unknown[]): Image => ({
  id: String(row[0]),
  name: (row[1] as string | null) ?? null,
  disk_format: (row[2] as string | null) ?? null,
  container_format: (row[3] as string | null) ?? null,
  size: row[4] === null || row[4] === undefined ? null : Number(row[4]),
  status: String(row[5]),
  checksum: (row[6] as string | null) ?? null,
  visibility: String(row[7]),
  created_at: String(row[8]),
  deleted: Boolean(Number(row[9])),
});

const listColumns = (schema: SchemaKind): string =>
  `id, name, disk_format, container_format, size, status, checksum, ${visibilityOf(schema)} AS visibility, created_at, deleted`;

// NULLs sort as the lowest value, so that paging with a marker never skips a nameless image.
const sortExpression = (key: SortKey): string =>
  key === "size" ? "COALESCE(size, -1)" : key === "name" || key === "disk_format" || key === "container_format" ? `COALESCE(${key}, '')` : key;

/** Where a page starts: just after the row with this sort value and id. */
interface Position {
  k: unknown;
  id: unknown;
}

/** WHERE, ORDER BY and LIMIT of a listing in Glance's own order (the sort key, then id). */
const listTail = (options: ListOptions, after: Position | undefined, limit: number | undefined): { tail: string; params: unknown[] } => {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!options.all) where.push("deleted = 0");
  if (options.name !== undefined) {
    where.push("name = ?");
    params.push(options.name);
  }
  if (options.status !== undefined) {
    where.push("status = ?");
    params.push(options.status);
  }
  const key = sortExpression(options.sortKey);
  if (after !== undefined) {
    // A row value rather than `k < ? OR (k = ? AND id < ?)`: SQLite seeks an index with it, and
    // scans the whole table for the OR form (17 s instead of 1.3 s over a million rows in pages).
    where.push(`(${key}, id) ${options.sortDir === "asc" ? ">" : "<"} (?, ?)`);
    params.push(after.k, after.id);
  }
  const direction = options.sortDir === "asc" ? "ASC" : "DESC";
  let tail = " FROM images";
  if (where.length > 0) tail += ` WHERE ${where.join(" AND ")}`;
  tail += ` ORDER BY ${key} ${direction}, id ${direction}`;
  if (limit !== undefined) {
    tail += " LIMIT ?";
    params.push(limit);
  }
  return { tail, params };
};

const positionOf = async (db: Database, options: ListOptions, where: string, value: unknown): Promise<Position | undefined> => {
  const rows = await db.all(`SELECT ${sortExpression(options.sortKey)} AS k, id FROM images WHERE ${where}`, [value]);
  return rows[0] === undefined ? undefined : { k: rows[0].k, id: rows[0].id };
};

/** Checked before anything is printed, so that a bad option never follows a header. */
const startOf = async (db: Database, options: ListOptions): Promise<Position | undefined> => {
  if (!SORT_KEYS.includes(options.sortKey)) throw usageError("bad-sort", `cannot sort by ${options.sortKey}`, { hint: `use one of: ${SORT_KEYS.join(", ")}` });
  if (options.marker === undefined) return undefined;
  const position = await positionOf(db, options, "id = ?", options.marker);
  if (position === undefined) throw usageError("bad-marker", `no image has the id ${options.marker}`, { hint: "the marker is the id of the last image of the previous page" });
  return position;
};

/** Throws what a listing with these options would throw, before anything is printed. */
export const checkListOptions = async (db: Database, options: ListOptions): Promise<void> => {
  await startOf(db, options);
};

/** Images in Glance's own order, in batches. */
export const listImages = async (db: Database, schema: SchemaKind, options: ListOptions): Promise<AsyncIterable<Image[]>> => {
  const { tail, params } = listTail(options, await startOf(db, options), options.limit);
  const rows = db.stream(`SELECT ${listColumns(schema)}${tail}`, params);
  return (async function* () {
    for await (const batch of rows) yield batch.map(toImage);
  })();
};

const PAGE = 1000;

/** Whether a (full) index of images starts with the sort key, so that a page costs its own size. */
const isIndexed = async (db: Database, key: SortKey): Promise<boolean> =>
  sortExpression(key) === key &&
  (await db.all("SELECT 1 FROM pragma_index_list('images') AS l, pragma_index_info(l.name) AS i WHERE l.partial = 0 AND i.seqno = 0 AND i.name = ?", [key])).length > 0;

/**
 * SQLite only (undefined elsewhere): the same listing as text, each row's rowid, a comma, then its
 * fields as the database writes them as text (NULL as nothing, deleted as true/false), joined by
 * commas. A field holding a comma makes the line ambiguous: imageAt reads that row again whole.
 * Over an indexed sort key the rows come in pages, each starting after the last (measured 20%
 * faster than stepping one statement row by row), inside one read transaction.
 */
export const listImageLines = async (db: Database, schema: SchemaKind, options: ListOptions): Promise<AsyncIterable<string[]> | undefined> => {
  const text = db.text;
  if (text === undefined) return undefined;
  const fields = ["id", "name", "disk_format", "container_format", "size", "status", "checksum", visibilityOf(schema), "created_at", "CASE WHEN deleted THEN 'true' ELSE 'false' END"];
  const select = `SELECT concat_ws(',', rowid, ${fields.map((f) => `IFNULL(${f}, '')`).join(", ")})`;
  const start = await startOf(db, options);
  if (!(await isIndexed(db, options.sortKey))) {
    const { tail, params } = listTail(options, start, options.limit);
    return text.stream(select + tail, params);
  }
  return text.snapshot(
    (async function* () {
      let after = start;
      let remaining = options.limit ?? Number.POSITIVE_INFINITY;
      while (remaining > 0) {
        const size = Math.min(PAGE, remaining);
        const { tail, params } = listTail(options, after, size);
        const rows = await text.page(select + tail, params);
        if (rows.length > 0) yield rows;
        const last = rows[rows.length - 1];
        if (last === undefined || rows.length < size) return;
        remaining -= rows.length;
        after = await positionOf(db, options, "rowid = ?", rowidOf(last));
      }
    })(),
  );
};

/** The rowid that tags a line of listImageLines. */
export const rowidOf = (line: string): number => Number(line.slice(0, line.indexOf(",")));

/** One image by SQLite rowid (see listImageLines). */
export const imageAt = async (db: Database, schema: SchemaKind, rowid: number): Promise<Image> => {
  const rows = await db.all(`SELECT ${listColumns(schema)} FROM images WHERE rowid = ?`, [rowid]);
  const row = rows[0];
  if (row === undefined) throw failureError("image-gone", `image row ${rowid} vanished while it was listed`, { hint: "run index again" });
  return toImage(Object.values(row));
};
