/**
 * Glance databases for tests, created by the real schemas: the current one by the real
 * `glance-manage db_sync` (Debian's Glance, installed by `npm test`), 2011.3's from its migrations'
 * result (test/fixtures/reference/schema-diablo.sql, from the reference material).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { MariaDb } from "./mariadb.js";
import { REFERENCE_FIXTURES } from "./paths.js";
import { newRoot } from "./roots.js";

export interface TestImage {
  id: string;
  name: string | null;
  disk_format: string;
  container_format: string;
  size: number | null;
  status: string;
  checksum: string;
  public: boolean;
  created_at: string;
  deleted: boolean;
  owner?: string | null;
  deleted_at?: string | null;
}

export const requireGlanceManage = (): void => {
  if (!existsSync("/usr/bin/glance-manage")) throw new Error("glance-manage is missing: npm test installs glance-api and glance-common (apt-get)");
};

/** Runs the real db_sync against `connection` (an oslo.db URL). */
const glanceDbSync = (connection: string): void => {
  requireGlanceManage();
  const dir = newRoot("gb-dbsync-");
  const config = join(dir, "glance-manage.conf");
  writeFileSync(config, `[DEFAULT]\nlog_file = ${join(dir, "manage.log")}\n[database]\nconnection = ${connection}\nmax_retries = 1\n`);
  const result = spawnSync("/usr/bin/glance-manage", ["--config-file", config, "db_sync"], { encoding: "utf8", timeout: 180_000 });
  if (result.status !== 0) throw new Error(`glance-manage db_sync failed: ${result.stdout}${result.stderr}`);
};

const diabloSchema = (): string => readFileSync(join(REFERENCE_FIXTURES, "schema-diablo.sql"), "utf8");

const insertSql = (schema: "current" | "2011", image: TestImage): { sql: string; params: unknown[] } =>
  schema === "current"
    ? {
        sql: "INSERT INTO images (id, name, size, status, created_at, deleted, disk_format, container_format, checksum, min_disk, min_ram, protected, visibility, os_hidden, owner, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 0, ?, ?)",
        params: [image.id, image.name, image.size, image.status, image.created_at, image.deleted ? 1 : 0, image.disk_format, image.container_format, image.checksum, image.public ? "public" : "shared", image.owner ?? null, image.deleted_at ?? null],
      }
    : {
        sql: "INSERT INTO images (id, name, disk_format, container_format, size, status, is_public, checksum, created_at, deleted, owner, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params: [Number(image.id), image.name, image.disk_format, image.container_format, image.size, image.status, image.public ? 1 : 0, image.checksum, image.created_at, image.deleted ? 1 : 0, image.owner ?? null, image.deleted_at ?? null],
      };

export const sqliteGlanceDb = (schema: "current" | "2011", images: readonly TestImage[]): string => {
  const path = join(newRoot("gb-glancedb-"), "glance.sqlite");
  if (schema === "current") glanceDbSync(`sqlite:///${path}`);
  const db = new Database(path);
  if (schema === "2011") db.exec(diabloSchema());
  // One transaction: thousands of images in a moment rather than a sync each.
  db.transaction(() => {
    for (const image of images) {
      const { sql, params } = insertSql(schema, image);
      db.prepare(sql).run(...params);
    }
  })();
  db.close();
  return `sqlite:///${path}`;
};

/** An SQL literal the mariadb client passes on byte for byte: line ends escaped, since it reads its input by lines. */
const literal = (value: unknown): string =>
  value === null || value === undefined ? "NULL" : typeof value === "number" ? String(value) : `'${`${value as string}`.replaceAll("\\", "\\\\").replaceAll("'", "''").replaceAll("\r", "\\r").replaceAll("\n", "\\n").replaceAll("\0", "\\0")}'`;

export const mariaGlanceDb = (server: MariaDb, schema: "current" | "2011", database: string, images: readonly TestImage[]): string => {
  server.sql(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
  if (schema === "current") glanceDbSync(`mysql+pymysql://${server.adminUser}:${server.adminPassword}@127.0.0.1:${server.port}/${database}`);
  else server.sql(diabloSchema(), database);
  const inserts = images.map((image) => {
    const { sql, params } = insertSql(schema, image);
    let i = 0;
    return `${sql.replace(/\?/gu, () => literal(params[i++]))};`;
  });
  if (inserts.length > 0) server.sql(inserts.join("\n"), database);
  return `mysql://${server.adminUser}:${server.adminPassword}@127.0.0.1:${server.port}/${database}`;
};
