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

/** A row of the listing's columns, in LIST_COLUMNS order. */
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

type Engine = Database["kind"];
type ColumnKind = "text" | "int" | "bool";

/** The listing's columns, in order: each one's SQL on a schema, and how it is printed. */
const LIST_COLUMNS: ReadonlyArray<{ name: keyof Image; kind: ColumnKind; sql: (schema: SchemaKind) => string }> = [
  // 2011.3's ids are integers: cast, so that JSON gets the string every later id is.
  { name: "id", kind: "text", sql: (schema) => (schema === "2011" ? "CAST(id AS CHAR)" : "id") },
  { name: "name", kind: "text", sql: () => "name" },
  { name: "disk_format", kind: "text", sql: () => "disk_format" },
  { name: "container_format", kind: "text", sql: () => "container_format" },
  { name: "size", kind: "int", sql: () => "size" },
  { name: "status", kind: "text", sql: () => "status" },
  { name: "checksum", kind: "text", sql: () => "checksum" },
  { name: "visibility", kind: "text", sql: visibilityOf },
  { name: "created_at", kind: "text", sql: () => "created_at" },
  { name: "deleted", kind: "bool", sql: () => "deleted" },
];

const listColumns = (schema: SchemaKind): string => LIST_COLUMNS.map((c) => c.sql(schema)).join(", ");

/** A column as CSV text, NULL as nothing: concat_ws skips NULLs, which would shift the fields. (No CAST: both engines' concat_ws turn numbers into text, and a CAST per field costs 10%.) */
const csvText = (kind: ColumnKind, sql: string): string => (kind === "bool" ? `CASE WHEN ${sql} THEN 'true' ELSE 'false' END` : `IFNULL(${sql}, '')`);

const jsonValue = (engine: Engine, kind: ColumnKind, sql: string): string => {
  if (kind !== "bool") return sql;
  return engine === "sqlite" ? `json(CASE WHEN ${sql} THEN 'true' ELSE 'false' END)` : `JSON_EXTRACT(IF(${sql}, 'true', 'false'), '$')`;
};

/**
 * How a CSV line names its row, for the rare line that must be read again field by field: SQLite's
 * rowid, or MariaDB's primary key (as hex when it is text, so that it holds no comma).
 */
const rowTag = (engine: Engine, schema: SchemaKind): { select: string; where: string } =>
  engine === "sqlite" ? { select: "rowid", where: "rowid = ?" } : schema === "2011" ? { select: "id", where: "id = ?" } : { select: "HEX(id)", where: "id = UNHEX(?)" };

/** The table's columns (Glance's own index, plus status): each one's field and width; size is right-aligned. */
export const TABLE_COLUMNS: ReadonlyArray<{ field: keyof Image; header: string; width: number; right?: boolean }> = [
  { field: "id", header: "ID", width: 36 },
  { field: "name", header: "Name", width: 30 },
  { field: "disk_format", header: "Disk Format", width: 20 },
  { field: "container_format", header: "Container Format", width: 20 },
  { field: "size", header: "Size", width: 14, right: true },
  { field: "status", header: "Status", width: 14 },
];

/**
 * A table line padded by the database: right for every line of plain ASCII (the only kind
 * index-format.ts takes as it comes; any other is read again and laid out there, with escapes).
 */
const tableExpression = (engine: Engine, schema: SchemaKind): string => {
  const sqlOf = (field: keyof Image): string => {
    const column = LIST_COLUMNS.find((c) => c.name === field);
    return `IFNULL(${column?.sql(schema) ?? field}, '')`;
  };
  if (engine === "sqlite") {
    const pattern = TABLE_COLUMNS.map((c, i) => (i === TABLE_COLUMNS.length - 1 ? "%s" : `%${c.right === true ? "" : "-"}${c.width}s`)).join(" ");
    return `rtrim(printf('${pattern}', ${TABLE_COLUMNS.map((c) => sqlOf(c.field)).join(", ")}))`;
  }
  // RPAD and LPAD cut what is longer than the width; padding with REPEAT never does.
  const padded = TABLE_COLUMNS.map((c, i) => {
    const value = sqlOf(c.field);
    if (i === TABLE_COLUMNS.length - 1) return value;
    const pad = `REPEAT(' ', GREATEST(0, ${c.width} - CHAR_LENGTH(${value})))`;
    return c.right === true ? `${pad}, ${value}` : `${value}, ${pad}`;
  });
  return `RTRIM(CONCAT(${padded.join(", ' ', ")}))`;
};

/**
 * One SQL expression per row: the row as a JSON object, or as a CSV or table line tagged with its
 * row (the tag, a comma, the line).
 */
const lineExpression = (engine: Engine, schema: SchemaKind, format: IndexLineFormat): string => {
  const concat = engine === "sqlite" ? "concat_ws" : "CONCAT_WS";
  if (format === "table") return `${concat}(',', ${rowTag(engine, schema).select}, ${tableExpression(engine, schema)})`;
  if (format === "json") {
    const pairs = LIST_COLUMNS.map((c) => `'${c.name}', ${jsonValue(engine, c.kind, c.sql(schema))}`).join(", ");
    return engine === "sqlite" ? `json_object(${pairs})` : `JSON_OBJECT(${pairs})`;
  }
  const fields = LIST_COLUMNS.map((c) => csvText(c.kind, c.sql(schema))).join(", ");
  return `${concat}(',', ${rowTag(engine, schema).select}, ${fields})`;
};

// NULLs sort as the lowest value, so that paging with a marker never skips a nameless image.
const sortExpression = (key: SortKey): string =>
  key === "size" ? "COALESCE(size, -1)" : key === "name" || key === "disk_format" || key === "container_format" ? `COALESCE(${key}, '')` : key;

/** Where a page starts: just after the row with this sort value and id. */
interface Position {
  k: unknown;
  id: unknown;
}

/** Below this many rows, a listing in an indexed order reads that index rather than sorting every row. */
const INDEX_WALK_LIMIT = 10_000;

/**
 * WHERE, ORDER BY and LIMIT of a listing in Glance's own order (the sort key, then id). On SQLite,
 * `WHERE deleted = 0` makes the planner read Glance's ix_images_deleted and sort all the rows, which
 * a whole listing needs anyway (and measured faster than walking the sort key's index: 1.9 s
 * against 2.8 s over a million images); a short one (--limit) walks the sort key's index instead
 * (`+deleted` takes ix_images_deleted out of the planner's choices), so its first row comes at once.
 */
const listTail = (options: ListOptions, after: Position | undefined, walkIndex: boolean): { tail: string; params: unknown[] } => {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!options.all) where.push(walkIndex ? "+deleted = 0" : "deleted = 0");
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
    // A row value rather than `k < ? OR (k = ? AND id < ?)`: both engines seek an index with it.
    where.push(`(${key}, id) ${options.sortDir === "asc" ? ">" : "<"} (?, ?)`);
    params.push(after.k, after.id);
  }
  const direction = options.sortDir === "asc" ? "ASC" : "DESC";
  let tail = " FROM images";
  if (where.length > 0) tail += ` WHERE ${where.join(" AND ")}`;
  tail += ` ORDER BY ${key} ${direction}, id ${direction}`;
  if (options.limit !== undefined) {
    tail += " LIMIT ?";
    params.push(options.limit);
  }
  return { tail, params };
};

const positionOf = async (db: Database, options: ListOptions, value: unknown): Promise<Position | undefined> => {
  const rows = await db.all(`SELECT ${sortExpression(options.sortKey)} AS k, id FROM images WHERE id = ?`, [value]);
  return rows[0] === undefined ? undefined : { k: rows[0].k, id: rows[0].id };
};

/** Checked before anything is printed, so that a bad option never follows a header. */
const startOf = async (db: Database, options: ListOptions): Promise<Position | undefined> => {
  if (!SORT_KEYS.includes(options.sortKey)) throw usageError("bad-sort", `cannot sort by ${options.sortKey}`, { hint: `use one of: ${SORT_KEYS.join(", ")}` });
  if (options.marker === undefined) return undefined;
  const position = await positionOf(db, options, options.marker);
  if (position === undefined) throw usageError("bad-marker", `no image has the id ${options.marker}`, { hint: "the marker is the id of the last image of the previous page" });
  return position;
};

/** Whether a (full) index of images starts with the sort key (SQLite's catalogue; MariaDB chooses well by itself). */
const isIndexed = async (db: Database, key: SortKey): Promise<boolean> =>
  db.kind === "sqlite" &&
  sortExpression(key) === key &&
  (await db.all("SELECT 1 FROM pragma_index_list('images') AS l, pragma_index_info(l.name) AS i WHERE l.partial = 0 AND i.seqno = 0 AND i.name = ?", [key])).length > 0;

const tailFor = async (db: Database, options: ListOptions): Promise<{ tail: string; params: unknown[] }> => {
  const start = await startOf(db, options);
  const walk = options.limit !== undefined && options.limit <= INDEX_WALK_LIMIT && (await isIndexed(db, options.sortKey));
  return listTail(options, start, walk);
};

/** Images in Glance's own order, in batches, as objects (the table, and every caller but CSV and JSON). */
export const listImages = async (db: Database, schema: SchemaKind, options: ListOptions): Promise<AsyncIterable<Image[]>> => {
  const { tail, params } = await tailFor(db, options);
  const rows = db.stream(`SELECT ${listColumns(schema)}${tail}`, params);
  return (async function* () {
    for await (const batch of rows) yield batch.map(toImage);
  })();
};

/**
 * The same listing, each row one string the database built: a JSON object, or a CSV or table line
 * tagged with its row (see rowTag). One value per row crosses from the driver instead of one per column,
 * which is most of what a row costs there.
 */
export type IndexLineFormat = "csv" | "json" | "table";

/**
 * The formats an engine builds faster than we do. MariaDB's JSON_OBJECT and padding functions cost
 * more on the server than JSON.stringify and padEnd here (measured over a million images: 8.1 s
 * against 6.3 s); its CONCAT_WS does not.
 */
export const buildsLines = (engine: Engine, format: IndexLineFormat): boolean => engine === "sqlite" || format === "csv";

export const listImageLines = async (db: Database, schema: SchemaKind, options: ListOptions, format: IndexLineFormat): Promise<AsyncIterable<string[]>> => {
  const { tail, params } = await tailFor(db, options);
  return db.lines(`SELECT ${lineExpression(db.kind, schema, format)}${tail}`, params);
};

/** One image by the tag of its CSV line (see listImageLines). */
export const imageAt = async (db: Database, schema: SchemaKind, tag: string): Promise<Image> => {
  const rows = await db.all(`SELECT ${listColumns(schema)} FROM images WHERE ${rowTag(db.kind, schema).where}`, [db.kind === "sqlite" || schema === "2011" ? Number(tag) : tag]);
  const row = rows[0];
  if (row === undefined) throw failureError("image-gone", "an image vanished while it was listed", { hint: "run index again" });
  return toImage(Object.values(row));
};
