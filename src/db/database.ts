/**
 * One small interface over SQLite (better-sqlite3) and MySQL/MariaDB (mysql2). Drivers are loaded
 * only when a database is opened, so commands that do not touch one never pay for them.
 */
import { failureError } from "../errors.js";
import type { ConnectionInfo } from "./connection.js";

type Row = Record<string, unknown>;

const BATCH = 1000;

/** SQLite's rows (better-sqlite3 reads synchronously) in batches of BATCH, for a listing's work per batch. */
function* inBatches<T>(rows: Iterable<T>): Generator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    if (batch.push(row) === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

interface DatabaseBase {
  all: (sql: string, params?: unknown[]) => Promise<Row[]>;
  tables: () => Promise<string[]>;
  /** A table's columns, and whether each can hold NULL. */
  columns: (table: string) => Promise<Array<{ name: string; nullable: boolean }>>;
  close: () => Promise<void>;
}

/**
 * `lines`: a statement whose rows are one value each (built by the database), in batches: nothing
 * holds the whole result, there is one await per batch rather than per row, and one value per row
 * crosses from the driver instead of one per column, which is most of what a row costs. SQLite's
 * are strings; MySQL's are the bytes the server sent (no decoding, see mysqlLines).
 */
export interface SqliteDatabase extends DatabaseBase {
  kind: "sqlite";
  lines: (sql: string, params?: unknown[]) => Iterable<string[]>;
  /**
   * Synchronous reads, for a listing that pages through the database (images.ts): every row's one
   * value at once (better-sqlite3's all() costs a third of what its iterator costs per row), and one row.
   */
  values: (sql: string, params?: unknown[]) => unknown[];
  get: (sql: string, params?: unknown[]) => Row | undefined;
  /** Opens a read transaction, which the returned function ends: pages read so see one snapshot, as one statement does. */
  snapshot: () => () => void;
}

export interface MysqlDatabase extends DatabaseBase {
  kind: "mysql";
  lines: (sql: string, params?: unknown[]) => AsyncIterable<Buffer[]>;
}

export type Database = SqliteDatabase | MysqlDatabase;

const openSqlite = async (path: string): Promise<SqliteDatabase> => {
  const { default: SQLite } = await import("better-sqlite3");
  let db: import("better-sqlite3").Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw failureError("db-open", `cannot open the SQLite database ${path}: ${(error as Error).message}`);
  }
  // The sqlite3 tool's page cache (2 MB) rather than better-sqlite3's 16 MB: a listing reads each
  // page once, and the smaller cache keeps a million-image listing ~30 MB lighter at the same speed.
  db.pragma("cache_size = -2000");
  // A whole listing sorts every row (ORDER BY the sort key): helper threads merge the sorter's runs
  // (the padded table's million lines: 3.2 s alone, 2.2 s with these, on two cores).
  db.pragma("threads = 4");
  const statements = new Map<string, import("better-sqlite3").Statement>();
  const prepared = (sql: string): import("better-sqlite3").Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return {
    kind: "sqlite",
    // The interface is asynchronous for mysql2; better-sqlite3 answers at once. Statements are kept:
    // a listing reads some rows again one by one (index-format.ts), and preparing costs more than the read.
    all: (sql, params = []) => Promise.resolve(prepared(sql).pluck(false).all(...params) as Row[]),
    lines: (sql, params = []) => inBatches(db.prepare(sql).pluck(true).iterate(...params) as IterableIterator<string>),
    values: (sql, params = []) => prepared(sql).pluck(true).all(...params),
    get: (sql, params = []) => prepared(sql).pluck(false).get(...params) as Row | undefined,
    snapshot: () => {
      db.prepare("BEGIN").run();
      return () => {
        if (db.inTransaction) db.prepare("COMMIT").run();
      };
    },
    tables: () => Promise.resolve((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name)),
    columns: (table) =>
      Promise.resolve(
        (db.prepare(`PRAGMA table_info("${table.replaceAll('"', '""')}")`).all() as Array<{ name: string; notnull: number }>).map((r) => ({ name: r.name, nullable: r.notnull === 0 })),
      ),
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

const connectMysql = async (info: Extract<ConnectionInfo, { kind: "mysql" }>): Promise<import("mysql2").Connection> => {
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
  return connection;
};

/** Connections mysqlLines destroyed (a stream left before its end): close() has nothing to end. */
const abandoned = new WeakSet<import("mysql2").Connection>();

/**
 * A streamed query's rows (one value each) in batches, straight from mysql2's row events: its
 * Readable stream, read with for await, cost a promise and a stream push per row (about a third of
 * a million-row listing). Each value is the bytes the server sent (typeCast false: a view of the
 * packet, no UTF-8 decoding), which index-format-bytes.ts lays out as bytes. The socket is paused
 * while a few batches wait, so memory stays flat.
 */
async function* mysqlLines(connection: import("mysql2").Connection, sql: string, params: unknown[]): AsyncGenerator<Buffer[]> {
  const ready: Buffer[][] = [];
  let batch: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const query = connection.query({ sql, values: params, rowsAsArray: true, typeCast: false });
  query.on("result", (row) => {
    if (batch.push((row as unknown as [Buffer])[0]) < BATCH) return;
    ready.push(batch);
    batch = [];
    if (ready.length >= 4 && !paused) {
      paused = true;
      connection.pause();
    }
    wake?.();
  });
  query.on("error", (error) => {
    failure = error;
    wake?.();
  });
  query.on("end", () => {
    if (batch.length > 0) ready.push(batch);
    ended = true;
    wake?.();
  });
  try {
    for (;;) {
      const next = ready.shift();
      if (next !== undefined) {
        if (paused && ready.length < 2) {
          paused = false;
          connection.resume();
        }
        yield next;
      } else if (failure !== undefined) throw failure;
      else if (ended) return;
      else {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  } finally {
    // Left before its end (the reader stopped: a closed pipe): a paused result never ends, so the
    // connection goes (close() then has nothing to end).
    if (!ended) {
      abandoned.add(connection);
      connection.destroy();
    }
  }
}

const openMysql = async (info: Extract<ConnectionInfo, { kind: "mysql" }>): Promise<MysqlDatabase> => {
  const connection = await connectMysql(info);
  const promise = connection.promise();
  // A query sent while a stream is read would wait behind the stream, which waits for us: a query
  // made during a stream (a listing reading a row again) takes a second connection.
  let streams = 0;
  let side: Promise<import("mysql2").Connection> | undefined;
  const query = async (sql: string, params: unknown[]): Promise<Row[]> => {
    if (streams === 0) return (await promise.query(sql, params))[0] as Row[];
    side ??= connectMysql(info);
    return (await (await side).promise().query(sql, params))[0] as Row[];
  };
  return {
    kind: "mysql",
    all: (sql, params = []) => query(sql, params),
    lines: (sql, params = []) =>
      (async function* () {
        streams++;
        try {
          yield* mysqlLines(connection, sql, params);
        } finally {
          streams--;
        }
      })(),
    tables: async () => ((await promise.query("SHOW TABLES"))[0] as Row[]).map((r) => String(Object.values(r)[0])),
    columns: async (table) =>
      ((await promise.query(`SHOW COLUMNS FROM \`${table.replaceAll("`", "``")}\``))[0] as Row[]).map((r) => ({ name: String(r.Field), nullable: r.Null !== "NO" })),
    close: async () => {
      if (!abandoned.has(connection)) await promise.end();
      if (side !== undefined) await (await side).promise().end();
    },
  };
};

export const openDatabase = (info: ConnectionInfo): Promise<Database> => (info.kind === "sqlite" ? openSqlite(info.path) : openMysql(info));
