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

/** Images in Glance's own order (the sort key, then id), in batches; paged with a marker (an image id). */
export async function* listImages(db: Database, schema: SchemaKind, options: ListOptions): AsyncGenerator<Image[]> {
  if (!SORT_KEYS.includes(options.sortKey)) throw usageError("bad-sort", `cannot sort by ${options.sortKey}`, { hint: `use one of: ${SORT_KEYS.join(", ")}` });
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
  // NULLs sort as the lowest value, so that paging with a marker never skips a nameless image.
  const key = options.sortKey === "size" ? "COALESCE(size, -1)" : ["name", "disk_format", "container_format"].includes(options.sortKey) ? `COALESCE(${options.sortKey}, '')` : options.sortKey;
  const compare = options.sortDir === "asc" ? ">" : "<";
  if (options.marker !== undefined) {
    const marker = await db.all(`SELECT ${key} AS k, id FROM images WHERE id = ?`, [options.marker]);
    if (marker[0] === undefined) throw usageError("bad-marker", `no image has the id ${options.marker}`, { hint: "the marker is the id of the last image of the previous page" });
    where.push(`(${key} ${compare} ? OR (${key} = ? AND id ${compare} ?))`);
    params.push(marker[0].k, marker[0].k, marker[0].id);
  }
  const direction = options.sortDir === "asc" ? "ASC" : "DESC";
  let sql = `SELECT id, name, disk_format, container_format, size, status, checksum, ${visibilityOf(schema)} AS visibility, created_at, deleted FROM images`;
  if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
  sql += ` ORDER BY ${key} ${direction}, id ${direction}`;
  if (options.limit !== undefined) {
    sql += " LIMIT ?";
    params.push(options.limit);
  }
  for await (const rows of db.stream(sql, params)) yield rows.map(toImage);
}
