/**
 * Reads Glance's image table directly, whichever schema it has: 2011.3's (integer ids, is_public)
 * or the current one (UUIDs, visibility), detected from the columns. Rows stream.
 */
import { failureError, usageError } from "../errors.js";
import type { Database, SqliteDatabase } from "./database.js";

type SchemaKind = "2011" | "current";

export interface SchemaInfo {
  kind: SchemaKind;
  /** The images table's columns, as the database has them. */
  columns: string[];
  /** Those of them that can hold NULL. */
  nullable: string[];
  /** alembic revision or sqlalchemy-migrate version; undefined before any migration. */
  version: string | undefined;
  tool: "alembic" | "sqlalchemy-migrate" | undefined;
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
  /** The audit filters, all in SQL. */
  owner?: string;
  visibility?: string;
  /** "YYYY-MM-DD HH:MM:SS": images created (deleted) at or after it. */
  createdSince?: string;
  deletedSince?: string;
  minSize?: number;
  maxSize?: number;
}

/** A listed row: the chosen columns by name. */
export type Row = Record<string, string | number | boolean | null>;

export const detectSchema = async (db: Database): Promise<SchemaInfo> => {
  const tables = await db.tables();
  if (!tables.includes("images"))
    throw failureError("no-schema", "the database has no images table: Glance's schema is not there", {
      hint: "run glance-barclamp db sync (it runs the real glance-manage db_sync)",
    });
  const described = await db.columns("images");
  const columns = described.map((c) => c.name);
  const nullable = described.filter((c) => c.nullable).map((c) => c.name);
  const kind: SchemaKind = columns.includes("visibility") ? "current" : "2011";
  if (tables.includes("alembic_version")) {
    const rows = await db.all("SELECT version_num FROM alembic_version");
    return { kind, columns, nullable, version: rows.map((r) => String(r.version_num)).join(","), tool: "alembic" };
  }
  if (tables.includes("migrate_version")) {
    const rows = await db.all("SELECT version FROM migrate_version");
    return { kind, columns, nullable, version: rows[0] === undefined ? undefined : String(rows[0].version), tool: "sqlalchemy-migrate" };
  }
  return { kind, columns, nullable, version: undefined, tool: undefined };
};

export const countImages = async (db: Database): Promise<{ total: number; active: number }> => {
  const rows = await db.all("SELECT COUNT(*) AS total, SUM(CASE WHEN deleted = 0 THEN 1 ELSE 0 END) AS active FROM images");
  return { total: Number(rows[0]?.total ?? 0), active: Number(rows[0]?.active ?? 0) };
};

const visibilityOf = (schema: SchemaKind): string =>
  schema === "current" ? "visibility" : "CASE WHEN is_public THEN 'public' ELSE 'private' END";

type Engine = Database["kind"];
type ColumnKind = "text" | "int" | "bool";

/** A column a listing can show: its name, its SQL on the schema, how it is printed, its table width. */
export interface Column {
  name: string;
  kind: ColumnKind;
  sql: string;
  width: number;
  right?: boolean;
  /** False when the column never holds NULL (NOT NULL): MariaDB's rows leave out its NULL bit. */
  nullable?: boolean;
  /** The table's header (Glance's own for the default table). */
  header: string;
}

/** The images table's fields a listing may show, by kind; any other column of the table is refused. */
const KINDS: Record<string, ColumnKind> = {
  id: "text",
  name: "text",
  disk_format: "text",
  container_format: "text",
  size: "int",
  virtual_size: "int",
  status: "text",
  checksum: "text",
  owner: "text",
  visibility: "text",
  is_public: "bool",
  protected: "bool",
  min_disk: "int",
  min_ram: "int",
  created_at: "text",
  updated_at: "text",
  deleted_at: "text",
  deleted: "bool",
  os_hidden: "bool",
  os_hash_algo: "text",
  os_hash_value: "text",
};

/** 2011.3's `location` can hold a Swift URL with its key: never listed. */
const NEVER_LISTED: Record<string, string> = { location: "it can hold the store's credentials (a Swift URL with its key)" };

const WIDTHS: Record<string, number> = { id: 36, name: 30, checksum: 32, owner: 32, created_at: 26, updated_at: 26, deleted_at: 26, os_hash_value: 128 };

export const DEFAULT_COLUMNS = ["id", "name", "disk_format", "container_format", "size", "status", "checksum", "visibility", "created_at", "deleted"] as const;
const TABLE_DEFAULT: ReadonlyArray<[string, string, number]> = [
  ["id", "ID", 36],
  ["name", "Name", 30],
  ["disk_format", "Disk Format", 20],
  ["container_format", "Container Format", 20],
  ["size", "Size", 14],
  ["status", "Status", 14],
];

const columnOf = (schema: SchemaInfo, name: string, header = name, width?: number): Column => {
  const kind = KINDS[name] as ColumnKind;
  const sql = name === "visibility" ? visibilityOf(schema.kind) : name;
  const nullable = schema.nullable.includes(name) && !(name === "visibility" && schema.kind === "2011");
  return { name, kind, sql, header, nullable, width: width ?? WIDTHS[name] ?? (kind === "int" ? 14 : kind === "bool" ? 7 : 20), ...(kind === "int" ? { right: true } : {}) };
};

/** The names this schema can list: its own columns that are fields of an image, and visibility (derived on 2011.3's). */
const listableColumns = (schema: SchemaInfo): string[] =>
  Object.keys(KINDS).filter((name) => schema.columns.includes(name) || (name === "visibility" && schema.kind === "2011"));

/** The columns a listing shows: --columns in the order given (checked against the schema), or the default ones. */
export const resolveColumns = (schema: SchemaInfo, names: readonly string[] | undefined): Column[] => {
  if (names === undefined) return DEFAULT_COLUMNS.map((name) => columnOf(schema, name));
  const known = listableColumns(schema);
  const seen = new Set<string>();
  return names.map((name) => {
    const never = NEVER_LISTED[name];
    if (never !== undefined) throw usageError("bad-column", `the column ${name} is never listed: ${never}`);
    if (!known.includes(name))
      throw usageError("bad-column", `this database's images table (${schema.kind === "2011" ? "Glance 2011.3's schema" : "the current schema"}) has no column ${name}`, {
        hint: `columns: ${known.join(", ")}`,
      });
    if (seen.has(name)) throw usageError("bad-column", `the column ${name} is named twice`);
    seen.add(name);
    return columnOf(schema, name);
  });
};

/** The table's columns: Glance's own index (plus status) by default, else the chosen ones. */
export const tableColumns = (schema: SchemaInfo, names: readonly string[] | undefined): Column[] =>
  names === undefined ? TABLE_DEFAULT.map(([name, header, width]) => columnOf(schema, name, header, width)) : resolveColumns(schema, names);

/** A raw row (the columns in order) as a record: ids and text as strings, integers as numbers, booleans as booleans. */
const toRow = (columns: readonly Column[], raw: readonly unknown[]): Row => {
  const row: Row = {};
  columns.forEach((column, i) => {
    const value = raw[i];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- database values are strings, numbers or bigints
    row[column.name] = value === null || value === undefined ? (column.kind === "bool" ? false : null) : column.kind === "int" ? Number(value) : column.kind === "bool" ? Boolean(Number(value)) : String(value);
  });
  return row;
};

/** A column as CSV text, NULL as nothing: concat_ws skips NULLs, which would shift the fields. (No CAST: both engines' concat_ws turn numbers into text, and a CAST per field costs 10%.) */
const csvText = (column: Column): string => (column.kind === "bool" ? `CASE WHEN ${column.sql} THEN 'true' ELSE 'false' END` : `IFNULL(${column.sql}, '')`);

/** SQLite's JSON value of a column; 2011.3's ids are integers: cast, so that JSON gets the string every later id is. */
const jsonValue = (column: Column): string =>
  column.kind === "bool" ? `json(CASE WHEN ${column.sql} THEN 'true' ELSE 'false' END)` : column.name === "id" ? `CAST(${column.sql} AS TEXT)` : column.sql;

/**
 * How a line names its row, for the rare line that must be read again field by field: SQLite's
 * rowid, or MariaDB's primary key (as it is: its row carries its length, see mysqlFieldsExpression).
 */
const rowTag = (engine: Engine): string => (engine === "sqlite" ? "rowid" : "id");

/**
 * SQLite's table line tagged with its row, padded by the database in one printf: right for every
 * line of plain ASCII (the only kind index-format.ts takes as it comes; any other is read again and
 * laid out there, with escapes). printf prints NULL as nothing, and index-format.ts trims the end
 * (rtrim, IFNULL and a separate tag cost 200 ms over a million rows).
 */
const tableExpression = (columns: readonly Column[], tagged: boolean): string => {
  const value = (c: Column): string => (c.kind === "bool" ? `CASE WHEN ${c.sql} THEN 'true' ELSE 'false' END` : c.sql);
  const pattern = columns.map((c, i) => (i === columns.length - 1 ? "%s" : `%${c.right === true ? "" : "-"}${c.width}s`)).join(" ");
  return tagged ? `printf('%d,${pattern}', ${rowTag("sqlite")}, ${columns.map(value).join(", ")})` : `printf('${pattern}', ${columns.map(value).join(", ")})`;
};

/** The separator of MariaDB's fields (US, the unit separator): a row with a value holding it is read again. */
export const FIELDS_SEPARATOR = 0x1f;

/**
 * MariaDB's row, whatever the format: the tag's length in bytes, the tag (the primary key, whatever
 * it holds), a bit per nullable column set when it is NULL (CONCAT_WS leaves NULLs out), then the
 * present values as the server prints them, joined by US (a literal: CHAR(31 USING utf8mb4) costs a
 * call per row); index-format-bytes.ts lays them out.
 * Nothing more per value: MariaDB's IFNULL, CONCAT, HEX and JSON_OBJECT cost the server more than
 * the client's whole listing (measured over a million images: 1.2 s with these bits, 2.0 s with
 * IFNULL(CONCAT(...)) per text value, 2.8 s building the JSON there; `mariadb --batch` 1.4 s).
 */
const mysqlFieldsExpression = (columns: readonly Column[]): string => {
  const tag = rowTag("mysql");
  const bits = columns
    .map((c, n) => (c.nullable === false ? undefined : `((${c.sql}) IS NULL) << ${n}`))
    .filter((b) => b !== undefined)
    .join(" | ");
  return `CONCAT_WS('${String.fromCharCode(FIELDS_SEPARATOR)}', LENGTH(${tag}), ${tag}, ${bits === "" ? "0" : bits}, ${columns.map((c) => c.sql).join(", ")})`;
};

/**
 * One SQL expression per SQLite row: its JSON object, CSV line or table line, tagged with its row
 * (the tag, a comma, the line) unless the listing knows its rows' tags otherwise (sqliteRowidRanges).
 */
const sqliteLineExpression = (format: IndexLineFormat, columns: readonly Column[], tagged = true): string => {
  const tag = tagged ? `${rowTag("sqlite")}, ` : "";
  if (format === "table") return tableExpression(columns, tagged);
  const json = `json_object(${columns.map((c) => `'${c.name}', ${jsonValue(c)}`).join(", ")})`;
  if (format === "json") return tagged ? `concat_ws(',', ${tag}${json})` : json;
  return `concat_ws(',', ${tag}${columns.map(csvText).join(", ")})`;
};

// NULLs sort as the lowest value, so that paging with a marker never skips a nameless image.
const sortExpression = (key: SortKey): string =>
  key === "size" ? "COALESCE(size, -1)" : key === "name" || key === "disk_format" || key === "container_format" ? `COALESCE(${key}, '')` : key;

/** Glance's own order: the sort key, then id. */
const orderBy = (options: ListOptions): string => {
  const direction = options.sortDir === "asc" ? "ASC" : "DESC";
  return ` ORDER BY ${sortExpression(options.sortKey)} ${direction}, id ${direction}`;
};

/** Where a page starts: just after the row with this sort value and id. */
interface Position {
  k: unknown;
  id: unknown;
}

/** Below this many rows, a listing in an indexed order reads that index rather than sorting every row. */
const INDEX_WALK_LIMIT = 10_000;

/** The filters as SQL: the same WHERE for a listing and a summary. */
const filterClauses = (schema: SchemaInfo, options: ListOptions, walkIndex: boolean): { where: string[]; params: unknown[] } => {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]): void => {
    where.push(clause);
    params.push(...values);
  };
  if (!options.all) where.push(walkIndex ? "+deleted = 0" : "deleted = 0");
  if (options.name !== undefined) add("name = ?", options.name);
  if (options.status !== undefined) add("status = ?", options.status);
  if (options.owner !== undefined) add("owner = ?", options.owner);
  if (options.visibility !== undefined) {
    // `+`: a column of four values (two on 2011.3) whose index must not displace the one chosen.
    const keepIndex = walkIndex ? "+" : "";
    if (schema.kind === "current") add(`${keepIndex}visibility = ?`, options.visibility);
    else if (options.visibility === "public" || options.visibility === "private") where.push(`${keepIndex}is_public = ${options.visibility === "public" ? 1 : 0}`);
    else throw usageError("bad-visibility", `Glance 2011.3's images are public or private, never ${options.visibility}`, { hint: "use --visibility public or --visibility private" });
  }
  if (options.createdSince !== undefined) add("created_at >= ?", options.createdSince);
  if (options.deletedSince !== undefined) add("deleted_at >= ?", options.deletedSince);
  if (options.minSize !== undefined) add("size >= ?", options.minSize);
  if (options.maxSize !== undefined) add("size <= ?", options.maxSize);
  return { where, params };
};

/**
 * WHERE, ORDER BY and LIMIT of a listing in Glance's own order (the sort key, then id). On SQLite,
 * `WHERE deleted = 0` makes the planner read Glance's ix_images_deleted and sort all the rows, which
 * a whole listing needs anyway (and measured faster than walking the sort key's index: 1.9 s
 * against 2.8 s over a million images); a short one (--limit) walks the sort key's index instead
 * (`+deleted` takes ix_images_deleted out of the planner's choices), so its first row comes at once.
 */
const listTail = (schema: SchemaInfo, options: ListOptions, after: Position | undefined, walkIndex: boolean, from: string): { tail: string; params: unknown[] } => {
  const { where, params } = filterClauses(schema, options, walkIndex);
  const key = sortExpression(options.sortKey);
  if (after !== undefined) {
    // A row value rather than `k < ? OR (k = ? AND id < ?)`: both engines seek an index with it.
    where.push(`(${key}, id) ${options.sortDir === "asc" ? ">" : "<"} (?, ?)`);
    params.push(after.k, after.id);
  }
  let tail = from;
  if (where.length > 0) tail += ` WHERE ${where.join(" AND ")}`;
  tail += orderBy(options);
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

/** Whether a (full) index of images starts with one of these columns, from the database's catalogue. */
const leadsAnIndex = async (db: Database, columns: readonly string[]): Promise<boolean> =>
  columns.length > 0 &&
  (
    await db.all(
      db.kind === "sqlite"
        ? `SELECT 1 FROM pragma_index_list('images') AS l, pragma_index_info(l.name) AS i WHERE l.partial = 0 AND i.seqno = 0 AND i.name IN (${columns.map(() => "?").join(", ")})`
        : `SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'images' AND seq_in_index = 1 AND column_name IN (${columns.map(() => "?").join(", ")})`,
      [...columns],
    )
  ).length > 0;

/** Whether a (full) index of images starts with the sort key. */
const isIndexed = async (db: Database, key: SortKey): Promise<boolean> => sortExpression(key) === key && (await leadsAnIndex(db, [key]));

/** A listing short enough to read the sort key's index, when there is one, rather than sort every row. */
const walksIndex = async (db: Database, options: ListOptions): Promise<boolean> =>
  options.limit !== undefined && options.limit <= INDEX_WALK_LIMIT && (await isIndexed(db, options.sortKey));

/** The columns the filters beyond deleted = 0 read. */
const filteredColumns = (schema: SchemaInfo, options: ListOptions): string[] =>
  (
    [
      [options.name, "name"],
      [options.status, "status"],
      [options.owner, "owner"],
      [options.visibility, schema.kind === "current" ? "visibility" : "is_public"],
      [options.createdSince, "created_at"],
      [options.deletedSince, "deleted_at"],
      [options.minSize ?? options.maxSize, "size"],
    ] as const
  ).flatMap(([value, column]) => (value === undefined ? [] : [column]));

/** Whether fewer than a quarter of `total` images are deleted: counted through ix_images_deleted, stopping at that quarter. */
const fewDeleted = async (db: Database, total: number, deleted: string): Promise<boolean> => {
  const quarter = Math.floor(total / 4);
  const rows = await db.all(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM images WHERE ${deleted} LIMIT ?) AS d`, [quarter]);
  return Number(rows[0]?.n ?? quarter) < quarter;
};

/**
 * A SQLite listing by 2011.3's integer id, which is the table's rowid, with most images live: it
 * walks the table itself, rather than ix_images_deleted with a lookup of each row (the table over
 * a million images, 95% live: 1.35 s against 1.40 s). Counting the deleted rows costs 2 ms over
 * 50,000; `deleted > 0` seeks the index where `<> 0` reads all of it on SQLite.
 */
const walksRowid = async (db: SqliteDatabase, options: ListOptions): Promise<boolean> => {
  // A short listing reads a few rows through the index at once: counting would cost it more (5 ms).
  if (options.all || options.sortKey !== "id" || (options.limit !== undefined && options.limit <= INDEX_WALK_LIMIT)) return false;
  const key = await db.all("SELECT name, type FROM pragma_table_info('images') WHERE pk > 0");
  if (key.length !== 1 || key[0]?.name !== "id" || String(key[0].type).toUpperCase() !== "INTEGER") return false;
  return fewDeleted(db, rowidSpan(db), "deleted > 0");
};

/**
 * How many images the table holds at most, from its first and last rowids: instant, where
 * count(*) reads a whole index (23 ms over a million 2011.3 images, 94 ms on the current schema);
 * enough for fewDeleted's quarter.
 */
const rowidSpan = (db: SqliteDatabase): number =>
  // Two subqueries: SQLite seeks an end of the table for a lone min() or max(), and reads it all for both at once.
  Number(db.get("SELECT COALESCE((SELECT max(rowid) FROM images) - (SELECT min(rowid) FROM images) + 1, 0) AS n")?.n ?? 0);

/**
 * The FROM of a listing or summary. MariaDB reads Glance's ix_images_deleted for `deleted = 0`
 * whatever the share of live images (it guesses half the table, from the index's two values), then
 * fetches every row by its primary key: with 95% of a million images live, a `--limit 20` by name
 * took 1.5 s so, 0.5 s scanning the table. Counting the deleted rows through that index, up to a
 * quarter of the table (12 ms over 50,000 deleted), tells which is faster; the index is the one
 * MariaDB's own EXPLAIN names. Not for a short listing in an indexed order, which MariaDB reads
 * in that index (8 ms), nor on SQLite, which gains 5% at most from the same (measured) but in
 * 2011.3's id order (walksRowid).
 */
const fromFor = async (db: Database, schema: SchemaInfo, options: ListOptions, walk: boolean): Promise<string> => {
  if (db.kind !== "mysql" || options.all || walk) return " FROM images";
  const key = (await db.all("EXPLAIN SELECT 1 FROM images WHERE deleted = 0"))[0]?.key;
  if (typeof key !== "string" || !/^\w+$/u.test(key)) return " FROM images";
  // Filters that MariaDB reads through another index (created_at, owner), or none: the listing
  // does not read that one, and counting is not needed (15 ms of a 300 ms --created-since).
  if (filterClauses(schema, options, false).where.length > 1) {
    const { tail, params } = listTail(schema, options, undefined, false, " FROM images");
    const chosen = (await db.all(`EXPLAIN SELECT 1${tail}`, params))[0]?.key;
    // An index merge names its indexes joined by commas.
    if (typeof chosen !== "string" || !chosen.split(",").includes(key)) return " FROM images";
  }
  const rows = await db.all("SELECT table_rows AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'images'");
  return (await fewDeleted(db, Number(rows[0]?.n ?? 0), "deleted <> 0")) ? ` FROM images IGNORE INDEX (\`${key}\`)` : " FROM images";
};

/** The FROM a listing with these options reads (exported for the test that checks both of MariaDB's choices). */
export const listingSource = async (db: Database, schema: SchemaInfo, options: ListOptions): Promise<string> => fromFor(db, schema, options, await walksIndex(db, options));

/** MariaDB's listing: one statement, streamed (its ix_images_deleted is kept out by the FROM, see fromFor). */
const mysqlTail = async (db: Database, schema: SchemaInfo, options: ListOptions): Promise<{ tail: string; params: unknown[] }> =>
  listTail(schema, options, await startOf(db, options), false, await fromFor(db, schema, options, await walksIndex(db, options)));

/** Rows per page when SQLite reads a listing in an index's order (sqlitePages). */
const PAGE_ROWS = 2000;

/**
 * A SQLite listing that comes in an index's order, with no sorter (2011.3's images by id, and a
 * short listing walking its key's index), read in pages, each from just after the page before:
 * better-sqlite3's all() costs a third of what its iterator does per row (0.3 µs: 0.3 s over a
 * million), and each page is a seek into that index. One read transaction holds them together.
 * A listing the database must sort is one statement: each page would sort every row again.
 */
function* sqlitePages(db: SqliteDatabase, options: ListOptions, start: Position | undefined, page: (after: Position | undefined, rows: number) => { sql: string; params: unknown[] }): Generator<string[]> {
  const end = db.snapshot();
  try {
    let after = start;
    for (let left = options.limit ?? Number.POSITIVE_INFINITY; left > 0; ) {
      const rows = Math.min(PAGE_ROWS, left);
      const { sql, params } = page(after, rows);
      const lines = db.values(sql, params) as string[];
      if (lines.length > 0) yield lines;
      const last = lines.at(-1);
      if (lines.length < rows || last === undefined) return;
      left -= rows;
      const next = db.get(`SELECT ${sortExpression(options.sortKey)} AS k, id FROM images WHERE ${rowTag("sqlite")} = ?`, [Number(last.slice(0, last.indexOf(",")))]);
      if (next === undefined) throw failureError("image-gone", "an image vanished while it was listed", { hint: "run index again" });
      after = { k: next.k, id: next.id };
    }
  } finally {
    end();
  }
}

/**
 * A page of lines that SQLite joined into one value (sqliteRowidRanges): how many, and their bytes
 * as formatLines prints them, each table line ended by a newline, each JSON object led by ",\n  ".
 */
export interface JoinedLines {
  count: number;
  bytes: Buffer;
}

/** What goes before, between and after the lines of a joined page: formatLines' own separators. */
const JOINS: Record<"table" | "json", readonly [lead: string, between: string, trail: string]> = { table: ["", "\n", "\n"], json: [",\n  ", ",\n  ", ""] };

/**
 * 2011.3's images by id with most of them live (walksRowid), where the id is the table's rowid:
 * each page is a range of PAGE_ROWS rowids, so that a page need not say where it ended, and SQLite
 * joins its lines into one BLOB: one value and no UTF-8 decoding per page instead of per line, and
 * bytes written as they are (over a million images by id: the table 1.28 -> 1.00 s, JSON 1.53 ->
 * 1.01 s). The rare page that cannot be printed as it is (a line to escape or read again) is read
 * again line by line (`split`); its rowids come from its lines when they start with the id
 * (`idFirst`: 2011.3's default table), or else from the same range (tagsOf). A gap in the ids is
 * stepped over by seeking the next rowid. One read transaction holds the pages together.
 */
const sqliteRowidRanges = (
  db: SqliteDatabase,
  options: ListOptions,
  start: Position | undefined,
  range: (low: number, high: number, what: "line" | "rowid") => { sql: string; params: unknown[] },
  format: "table" | "json",
  idFirst: boolean,
): { lines: Iterable<JoinedLines>; split: (page: JoinedLines) => string[]; tagsOf: (batch: readonly string[]) => string[] } => {
  const asc = options.sortDir === "asc";
  // The page just yielded, and its lines when it was split: asked of while the read transaction still holds it.
  let shown: { page: JoinedLines; low: number; high: number; lines?: readonly string[] } | undefined;
  const [lead, between, trail] = JOINS[format];
  function* pages(): Generator<JoinedLines> {
    const end = db.snapshot();
    try {
      const bounds = db.get("SELECT (SELECT min(rowid) FROM images) AS low, (SELECT max(rowid) FROM images) AS high");
      if (bounds?.low === null || bounds?.low === undefined) return;
      let at = start === undefined ? Number(asc ? bounds.low : bounds.high) : Number(start.id) + (asc ? 1 : -1);
      for (let left = options.limit ?? Number.POSITIVE_INFINITY; left > 0; ) {
        const [low, high] = asc ? [at, at + PAGE_ROWS - 1] : [at - PAGE_ROWS + 1, at];
        const { sql, params } = range(low, high, "line");
        // The subquery's ORDER BY (with its LIMIT) is the order group_concat joins in.
        const row = db.get(`SELECT count(*) AS n, CAST(? || group_concat(l, ?) || ? AS BLOB) AS b FROM (${sql} LIMIT ?)`, [lead, between, trail, ...params, Math.min(PAGE_ROWS, left)]);
        const count = Number(row?.n ?? 0);
        if (count > 0) {
          if (!Buffer.isBuffer(row?.b)) throw new Error("SQLite joined a page of lines into something other than bytes");
          left -= count;
          const page = { count, bytes: row.b };
          shown = { page, low, high };
          yield page;
        }
        const next = db.get(`SELECT rowid AS r FROM images WHERE rowid ${asc ? "> ? ORDER BY rowid" : "< ? ORDER BY rowid DESC"} LIMIT 1`, [asc ? high : low]);
        if (next === undefined) return;
        at = Number(next.r);
      }
    } finally {
      end();
    }
  }
  const split = (page: JoinedLines): string[] => {
    if (shown?.page !== page) throw new Error("a page was split after the next page was read");
    const { sql, params } = range(shown.low, shown.high, "line");
    const lines = db.values(`${sql} LIMIT ?`, [...params, page.count]) as string[];
    shown.lines = lines;
    return lines;
  };
  const tagsOf = (batch: readonly string[]): string[] => {
    if (shown?.lines !== batch) throw new Error("the tags of a page were asked after the next page was read");
    // The integer id, then the padding or the line's end.
    if (idFirst) return batch.map((line) => (line.includes(" ") ? line.slice(0, line.indexOf(" ")) : line));
    const { sql, params } = range(shown.low, shown.high, "rowid");
    return db.values(sql, params).slice(0, batch.length).map(String);
  };
  return { lines: pages(), split, tagsOf };
};

/** Whether SQLite's plan for this statement sorts (a temporary B-tree for its ORDER BY, or part of it) rather than reading an index in order. */
const sorts = async (db: SqliteDatabase, statement: { sql: string; params: unknown[] }): Promise<boolean> =>
  (await db.all(`EXPLAIN QUERY PLAN ${statement.sql}`, statement.params)).some((step) => String(step.detail).includes("TEMP B-TREE"));

/** Counts and total size of the images the filters select, grouped by each of status, visibility and disk format. */
export interface SummaryRow {
  group: "status" | "visibility" | "disk_format";
  value: string | null;
  images: number;
  size: number;
}

/**
 * One scan grouped by all three at once, summed here per group: the three GROUP BYs a client would
 * run read the table three times (a million images: 3.3 s against 0.9 s on MariaDB, 2.3 s against
 * 1.6 s on SQLite). A group's values are few (Glance's statuses, visibilities, disk formats), so
 * the combinations are too. On SQLite with most images live, `+deleted` scans the table rather
 * than reading ix_images_deleted and each row through it (1.6 s against 3.2 s); see fromFor for MariaDB.
 */
export const summarizeImages = async (db: Database, schema: SchemaInfo, options: ListOptions): Promise<SummaryRow[]> => {
  const scan = db.kind === "sqlite" && !options.all && (await fewDeleted(db, rowidSpan(db), "deleted > 0"));
  const { where, params } = filterClauses(schema, options, scan);
  const source = `${await fromFor(db, schema, options, false)}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
  const rows = await db.all(`SELECT status AS a, ${visibilityOf(schema.kind)} AS b, disk_format AS c, COUNT(*) AS n, COALESCE(SUM(size), 0) AS s${source} GROUP BY a, b, c`, params);
  const groups = { status: new Map<string | null, SummaryRow>(), visibility: new Map<string | null, SummaryRow>(), disk_format: new Map<string | null, SummaryRow>() };
  for (const row of rows)
    for (const [group, value] of [["status", row.a], ["visibility", row.b], ["disk_format", row.c]] as const) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- group values are strings
      const key = value === null ? null : String(value);
      const sum = groups[group].get(key) ?? { group, value: key, images: 0, size: 0 };
      sum.images += Number(row.n);
      sum.size += Number(row.s);
      groups[group].set(key, sum);
    }
  // Most images first, then by value (no value first), as `ORDER BY COUNT(*) DESC, value` gave.
  const order = (x: SummaryRow, y: SummaryRow): number => y.images - x.images || (x.value === y.value ? 0 : x.value === null ? -1 : y.value === null ? 1 : x.value < y.value ? -1 : 1);
  return [...groups.status.values()].sort(order).concat([...groups.visibility.values()].sort(order), [...groups.disk_format.values()].sort(order));
};

export type IndexLineFormat = "csv" | "json" | "table";

/**
 * A listing as the database made it, one value per row: SQLite's lines (a whole line each, laid out
 * by the database, see index-format.ts) or MariaDB's fields rows (bytes, see mysqlFieldsExpression).
 * One value per row crosses from the driver instead of one per column, which is most of what a row
 * costs there.
 */
export type ImageLines =
  | {
      engine: "sqlite";
      lines: Iterable<string[] | JoinedLines>;
      /** A joined page's lines one by one, for a page that cannot be printed as it is (sqliteRowidRanges). */
      split?: (page: JoinedLines) => string[];
      /** When the lines carry no tags: the tags of the batch just read (sqliteRowidRanges). */
      tagsOf?: (batch: readonly string[]) => string[];
    }
  | { engine: "mysql"; rows: AsyncIterable<Buffer[]> };

/** A SQLite listing's statement for a page from a position (the first from --marker's), and whether it is read in pages (sqlitePages). */
const sqliteListing = async (db: SqliteDatabase, schema: SchemaInfo, options: ListOptions, format: IndexLineFormat, columns: readonly Column[]) => {
  const start = await startOf(db, options);
  const shortWalk = await walksIndex(db, options);
  const byRowid = !shortWalk && (await walksRowid(db, options));
  const walk = shortWalk || byRowid;
  // A filtered listing with most images live (or --all), which SQLite sorts: its planner, without
  // statistics, reads most rows through ix_images_deleted, or through the sort key's index. On a
  // column an index leads (owner, created_at), `+deleted` leaves it that index (a million images,
  // an owner's 1%: 390 -> 175 ms); on others (size, deleted_at, status), the table is scanned
  // (--all --deleted-since: 512 -> 261 ms, --min-size: 478 -> 408 ms). Not visibility's index:
  // a quarter of the table fetched row by row is slower than the scan (934 -> 741 ms in process).
  const filtered = filteredColumns(schema, options);
  const mostlyLive = !walk && filtered.length > 0 && (options.all || (await fewDeleted(db, rowidSpan(db), "deleted > 0")));
  const indexedFilter = mostlyLive && (await leadsAnIndex(db, filtered.filter((column) => column !== "visibility" && column !== "is_public")));
  const from = mostlyLive && !indexedFilter ? " FROM images NOT INDEXED" : " FROM images";
  const select = `SELECT ${sqliteLineExpression(format, columns)}`;
  const untagged = `SELECT ${sqliteLineExpression(format, columns, false)} AS l`;
  // The rowids of a range come from ix_images_deleted alone (0.15 ms a page), its lines from the table.
  const range = (low: number, high: number, what: "line" | "rowid"): { sql: string; params: unknown[] } => {
    const { where, params } = filterClauses(schema, options, what === "line");
    return { sql: `${what === "line" ? untagged : `SELECT ${rowTag("sqlite")}`} FROM images WHERE ${[...where, "rowid BETWEEN ? AND ?"].join(" AND ")}${orderBy(options)}`, params: [...params, low, high] };
  };
  // Not CSV: a name with a comma is common, and each page with one would ask for its rowids.
  const inRanges = byRowid && format !== "csv" && !(await sorts(db, range(1, PAGE_ROWS, "line")));
  const page = (after: Position | undefined, rows: number | undefined): { sql: string; params: unknown[] } => {
    const { tail, params } = listTail(schema, { ...options, limit: rows }, after, walk || indexedFilter, from);
    return { sql: `${select}${tail}`, params };
  };
  // Both statements a paged listing runs, its first page and the next ones (any position will do for the plan).
  const inPages = !(await sorts(db, page(start, PAGE_ROWS))) && !(await sorts(db, page({ k: 0, id: 0 }, PAGE_ROWS)));
  // A short listing SQLite must sort: SQLite builds the line of every row that enters its sorter
  // (20 of a million images by created_at as JSON: 1.4 s). Its sorter keeps each row's key and
  // rowid instead, and the lines are built for the rows it kept (0.4 s).
  const keysOnly = !inPages && options.limit !== undefined && options.limit <= INDEX_WALK_LIMIT;
  // Its keys come faster from the table itself than through ix_images_deleted with a lookup per
  // row, when most images are live (20 of a million by name: 143 -> 126 ms).
  const scan = keysOnly && !walk && !options.all && (await fewDeleted(db, rowidSpan(db), "deleted > 0"));
  const whole = (): { sql: string; params: unknown[] } => {
    if (!keysOnly) return page(start, options.limit);
    const { tail, params } = listTail(schema, options, start, walk || scan, " FROM images");
    return { sql: `${select} FROM images WHERE ${rowTag("sqlite")} IN (SELECT ${rowTag("sqlite")}${tail})${orderBy(options)}`, params };
  };
  return { start, page, whole, range, inRanges, inPages, walk, keysOnly, scan, filterIndex: indexedFilter, tableScan: from !== " FROM images" };
};

/**
 * How SQLite reads this listing: in pages or not, walking the sort key's index (or the table) or
 * not, sorting only keys or not (exported for the tests of these choices).
 */
export const sqliteReading = async (
  db: SqliteDatabase,
  schema: SchemaInfo,
  options: ListOptions,
  format: IndexLineFormat,
  columns: readonly Column[],
): Promise<{ inRanges: boolean; inPages: boolean; walk: boolean; keysOnly: boolean; scan: boolean; filterIndex: boolean; tableScan: boolean }> => {
  const { inRanges, inPages, walk, keysOnly, scan, filterIndex, tableScan } = await sqliteListing(db, schema, options, format, columns);
  return { inRanges, inPages, walk, keysOnly, scan, filterIndex, tableScan };
};

export const listImageLines = async (db: Database, schema: SchemaInfo, options: ListOptions, format: IndexLineFormat, columns: readonly Column[]): Promise<ImageLines> => {
  if (db.kind === "mysql") {
    const { tail, params } = await mysqlTail(db, schema, options);
    return { engine: "mysql", rows: db.lines(`SELECT ${mysqlFieldsExpression(columns)}${tail}`, params) };
  }
  const { start, page, whole, range, inRanges, inPages } = await sqliteListing(db, schema, options, format, columns);
  // inRanges is never CSV's; the test tells the compiler so.
  if (inRanges && format !== "csv") return { engine: "sqlite", ...sqliteRowidRanges(db, options, start, range, format, format === "table" && columns[0]?.name === "id") };
  if (inPages) return { engine: "sqlite", lines: sqlitePages(db, options, start, page) };
  const { sql, params } = whole();
  return { engine: "sqlite", lines: db.lines(sql, params) };
};

/**
 * The rows of these line tags (see listImageLines), with these columns, in one query: a listing
 * reads again the few rows of a batch it cannot take as they come, and on MariaDB each query is a
 * round trip (one per row cost 2 s over a million images, a tenth of them needing quotes).
 */
export const rowsAt = async (db: Database, schema: SchemaInfo, columns: readonly Column[], tags: readonly string[]): Promise<Map<string, Row>> => {
  const tag = rowTag(db.kind);
  const numeric = db.kind === "sqlite" || schema.kind === "2011";
  const out = new Map<string, Row>();
  for (let at = 0; at < tags.length; at += 500) {
    const chunk = tags.slice(at, at + 500);
    const rows = await db.all(
      `SELECT ${tag} AS tag__, ${columns.map((c) => c.sql).join(", ")} FROM images WHERE ${tag} IN (${chunk.map(() => "?").join(", ")})`,
      chunk.map((t) => (numeric ? Number(t) : t)),
    );
    for (const row of rows) out.set(String(row.tag__), toRow(columns, Object.values(row).slice(1)));
  }
  for (const t of tags) if (!out.has(t)) throw failureError("image-gone", "an image vanished while it was listed", { hint: "run index again" });
  return out;
};
