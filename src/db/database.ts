/**
 * One small interface over SQLite (better-sqlite3) and MySQL/MariaDB (mysql2). Drivers are loaded
 * only when a database is opened, so commands that do not touch one never pay for them.
 */
import { failureError } from "../errors.js";
import type { ConnectionInfo } from "./connection.js";

export type Row = Record<string, unknown>;

export interface Database {
  kind: "sqlite" | "mysql";
  all: (sql: string, params?: unknown[]) => Promise<Row[]>;
  /** Rows one at a time, without holding the result set in memory. */
  stream: (sql: string, params?: unknown[]) => AsyncIterable<Row>;
  tables: () => Promise<string[]>;
  columns: (table: string) => Promise<string[]>;
  close: () => Promise<void>;
}

const openSqlite = async (path: string): Promise<Database> => {
  const { default: SQLite } = await import("better-sqlite3");
  let db: import("better-sqlite3").Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw failureError("db-open", `cannot open the SQLite database ${path}: ${(error as Error).message}`);
  }
  return {
    kind: "sqlite",
    all: async (sql, params = []) => db.prepare(sql).all(...params) as Row[],
    stream: (sql, params = []) => {
      const iterator = db.prepare(sql).iterate(...params) as IterableIterator<Row>;
      return (async function* () {
        yield* iterator;
      })();
    },
    tables: async () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name),
    columns: async (table) => (db.prepare(`PRAGMA table_info("${table.replaceAll('"', '""')}")`).all() as Array<{ name: string }>).map((r) => r.name),
    close: async () => {
      db.close();
    },
  };
};

export const mysqlFailure = (error: unknown, where: string, who: string) => {
  const code = (error as { code?: string }).code ?? "";
  if (code === "ER_ACCESS_DENIED_ERROR" || code === "ER_DBACCESS_DENIED_ERROR")
    return failureError("db-access-denied", `${where} refused ${who}: access denied`, { hint: "check the user name and password (nothing was changed)" });
  return failureError("db-unreachable", `cannot reach ${where}: ${code || (error as Error).message}`, {
    hint: "check that the server runs and accepts connections on that address (nothing was changed)",
  });
};

const openMysql = async (info: Extract<ConnectionInfo, { kind: "mysql" }>): Promise<Database> => {
  const mysql = await import("mysql2");
  const connection = mysql.createConnection({
    host: info.host,
    port: info.port,
    user: info.user,
    password: info.password,
    database: info.database,
    connectTimeout: 5000,
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
  });
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(mysqlFailure(error, `MySQL at ${info.host}:${info.port}`, `user ${info.user}`)) : resolve())),
  );
  const promise = connection.promise();
  return {
    kind: "mysql",
    all: async (sql, params = []) => (await promise.query(sql, params))[0] as Row[],
    stream: (sql, params = []) => connection.query(sql, params).stream({ highWaterMark: 256 }) as unknown as AsyncIterable<Row>,
    tables: async () => ((await promise.query("SHOW TABLES"))[0] as Row[]).map((r) => String(Object.values(r)[0])),
    columns: async (table) => ((await promise.query(`SHOW COLUMNS FROM \`${table.replaceAll("`", "``")}\``))[0] as Row[]).map((r) => String(r.Field)),
    close: async () => {
      await promise.end();
    },
  };
};

export const openDatabase = (info: ConnectionInfo): Promise<Database> => (info.kind === "sqlite" ? openSqlite(info.path) : openMysql(info));
