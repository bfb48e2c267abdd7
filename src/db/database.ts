/**
 * One small interface over SQLite (better-sqlite3) and MySQL/MariaDB (mysql2). Drivers are loaded
 * only when a database is opened, so commands that do not touch one never pay for them.
 */
import { failureError } from "../errors.js";
import type { ConnectionInfo } from "./connection.js";

type Row = Record<string, unknown>;

const BATCH = 1000;

/** Rows in batches of BATCH: one await per batch rather than per row. */
async function* inBatches<T>(rows: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  // A synchronous iterator is read with for...of: for await would add a microtask per row.
  if (Symbol.asyncIterator in rows)
    for await (const row of rows) {
      if (batch.push(row) === BATCH) {
        yield batch;
        batch = [];
      }
    }
  else
    for (const row of rows) {
      if (batch.push(row) === BATCH) {
        yield batch;
        batch = [];
      }
    }
  if (batch.length > 0) yield batch;
}

export interface Database {
  kind: "sqlite" | "mysql";
  all: (sql: string, params?: unknown[]) => Promise<Row[]>;
  /**
   * Rows as arrays in SELECT order, in batches: nothing holds the whole result, there is one await
   * per batch rather than per row, and no object is built per row.
   */
  stream: (sql: string, params?: unknown[]) => AsyncIterable<unknown[][]>;
  /** SQLite only: see TextReader. */
  text?: TextReader;
  tables: () => Promise<string[]>;
  columns: (table: string) => Promise<string[]>;
  close: () => Promise<void>;
}

/**
 * Results as each row's first column, a string. One value per row crosses from the driver instead
 * of one per column, which is most of what a row costs in better-sqlite3.
 */
interface TextReader {
  /** Every row of a statement at once (a page). */
  page: (sql: string, params: unknown[]) => Promise<string[]>;
  /** The rows of one statement, in batches. */
  stream: (sql: string, params: unknown[]) => AsyncIterable<string[]>;
  /** Runs `body` inside one read transaction, so that successive pages see one state of the tables. */
  snapshot: <T>(body: AsyncIterable<T>) => AsyncIterable<T>;
}

const openSqlite = async (path: string): Promise<Database> => {
  const { default: SQLite } = await import("better-sqlite3");
  let db: import("better-sqlite3").Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw failureError("db-open", `cannot open the SQLite database ${path}: ${(error as Error).message}`);
  }
  const pages = new Map<string, import("better-sqlite3").Statement>();
  return {
    kind: "sqlite",
    // The interface is asynchronous for mysql2; better-sqlite3 answers at once.
    all: (sql, params = []) => Promise.resolve(db.prepare(sql).all(...params) as Row[]),
    stream: (sql, params = []) => inBatches(db.prepare(sql).raw(true).iterate(...params) as IterableIterator<unknown[]>),
    text: {
      page: (sql, params) => {
        let statement = pages.get(sql);
        if (statement === undefined) {
          statement = db.prepare(sql).pluck(true);
          pages.set(sql, statement);
        }
        return Promise.resolve(statement.all(...params) as string[]);
      },
      stream: (sql, params) => inBatches(db.prepare(sql).pluck(true).iterate(...params) as IterableIterator<string>),
      snapshot: (body) =>
        (async function* () {
          db.exec("BEGIN");
          try {
            yield* body;
          } finally {
            if (db.inTransaction) db.exec("COMMIT");
          }
        })(),
    },
    tables: () => Promise.resolve((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name)),
    columns: (table) => Promise.resolve((db.prepare(`PRAGMA table_info("${table.replaceAll('"', '""')}")`).all() as Array<{ name: string }>).map((r) => r.name)),
    close: () => {
      db.close();
      return Promise.resolve();
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
    stream: (sql, params = []) => inBatches(connection.query({ sql, values: params, rowsAsArray: true }).stream({ highWaterMark: BATCH }) as unknown as AsyncIterable<unknown[]>),
    tables: async () => ((await promise.query("SHOW TABLES"))[0] as Row[]).map((r) => String(Object.values(r)[0])),
    columns: async (table) => ((await promise.query(`SHOW COLUMNS FROM \`${table.replaceAll("`", "``")}\``))[0] as Row[]).map((r) => String(r.Field)),
    close: async () => {
      await promise.end();
    },
  };
};

export const openDatabase = (info: ConnectionInfo): Promise<Database> => (info.kind === "sqlite" ? openSqlite(info.path) : openMysql(info));
