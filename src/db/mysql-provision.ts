/**
 * MySQL/MariaDB provisioning as the 2011 barclamp did it, made idempotent: the database, the Glance
 * user, and exactly its privileges on that database. The server is inspected first; only the
 * statements that are needed run, so a second apply runs none. The password travels as a bound
 * parameter and is masked wherever a statement is shown.
 */
import { failureError } from "../errors.js";
import { MASK } from "../core/render/secret-slots.js";
import { mysqlFailure } from "./database.js";

export interface MysqlTarget {
  instance: string;
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  database: string;
  user: string;
  password: string;
  privileges: readonly string[];
}

export interface Step {
  description: string;
  sql: string;
  params: unknown[];
}

type Connection = import("mysql2/promise").Connection;

const where = (target: MysqlTarget): string => `MySQL instance ${target.instance} at ${target.host}:${target.port}`;

export const connectAdmin = async (target: MysqlTarget): Promise<Connection> => {
  const mysql = await import("mysql2/promise");
  try {
    return await mysql.createConnection({ host: target.host, port: target.port, user: target.adminUser, password: target.adminPassword, connectTimeout: 5000 });
  } catch (error) {
    throw mysqlFailure(error, where(target), `the admin user ${target.adminUser}`);
  }
};

const canLogIn = async (target: MysqlTarget): Promise<boolean> => {
  const mysql = await import("mysql2/promise");
  try {
    const connection = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, connectTimeout: 5000 });
    await connection.end();
    return true;
  } catch {
    return false;
  }
};

/** Privileges the user holds on `database`.* (SHOW GRANTS; its lines are never logged: one holds the hash). */
const grantedPrivileges = async (admin: Connection, target: MysqlTarget): Promise<Set<string>> => {
  const [rows] = await admin.query("SHOW GRANTS FOR ?@'%'", [target.user]);
  const held = new Set<string>();
  for (const row of rows as Array<Record<string, string>>) {
    const line = Object.values(row)[0] ?? "";
    const match = /^GRANT (.+?) ON `?([^`.]+)`?\.\* TO /u.exec(line);
    if (match === null || match[2] !== target.database) continue;
    for (const privilege of (match[1] as string).split(",").map((p) => p.trim().toUpperCase())) held.add(privilege);
  }
  return held;
};

const stepsFor = (target: MysqlTarget, observed: { database: boolean; user: boolean; password: boolean; held: Set<string> }): Step[] => {
  const steps: Step[] = [];
  const db = `\`${target.database}\``;
  if (!observed.database)
    steps.push({ description: `create database ${target.database}`, sql: `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4`, params: [] });
  if (!observed.user)
    steps.push({ description: `create user ${target.user}@%`, sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", params: [target.user, target.password] });
  else if (!observed.password)
    steps.push({ description: `set the password of ${target.user}@%`, sql: "ALTER USER ?@'%' IDENTIFIED BY ?", params: [target.user, target.password] });
  const extra = [...observed.held].filter((p) => !target.privileges.includes(p));
  if (extra.length > 0)
    steps.push({ description: `revoke ${extra.join(", ")} on ${target.database}`, sql: `REVOKE ${extra.join(", ")} ON ${db}.* FROM ?@'%'`, params: [target.user] });
  const missing = target.privileges.filter((p) => !observed.held.has(p) || extra.length > 0);
  if (missing.length > 0)
    steps.push({ description: `grant ${missing.join(", ")} on ${target.database}`, sql: `GRANT ${missing.join(", ")} ON ${db}.* TO ?@'%'`, params: [target.user] });
  return steps;
};

/** Every statement a first provisioning runs, password masked: for --print-sql. */
export const provisionSql = (target: MysqlTarget): string[] =>
  stepsFor(target, { database: false, user: false, password: false, held: new Set() }).map((step) => showStep(step, target));

export const showStep = (step: Step, target: MysqlTarget): string => {
  let index = 0;
  return `${step.sql.replace(/\?/gu, () => {
    const value = step.params[index++];
    return value === target.password ? `'${MASK}'` : `'${String(value)}'`;
  })};`;
};

export const inspectMysql = async (target: MysqlTarget): Promise<Step[]> => {
  const admin = await connectAdmin(target);
  try {
    const [databases] = await admin.query("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [target.database]);
    const [users] = await admin.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = '%'", [target.user]);
    const database = Number((databases as Array<{ n: number }>)[0]?.n ?? 0) > 0;
    const user = Number((users as Array<{ n: number }>)[0]?.n ?? 0) > 0;
    const password = user && (await canLogIn(target));
    const held = user ? await grantedPrivileges(admin, target) : new Set<string>();
    return stepsFor(target, { database, user, password, held });
  } catch (error) {
    if ((error as { code?: string }).code === undefined) throw error;
    throw failureError("mysql-inspect", `${where(target)}: ${(error as Error).message}`);
  } finally {
    await admin.end();
  }
};

export const runSteps = async (target: MysqlTarget, steps: readonly Step[]): Promise<void> => {
  if (steps.length === 0) return;
  const admin = await connectAdmin(target);
  try {
    for (const step of steps) {
      try {
        await admin.query(step.sql, step.params);
      } catch (error) {
        throw failureError("mysql-provision", `${where(target)}: ${step.description} failed: ${(error as Error).message.replaceAll(target.password, MASK)}`);
      }
    }
  } finally {
    await admin.end();
  }
};

/** The named locks nodes take on the MySQL server: one around provisioning, one around the schema sync. */
export const PROVISION_LOCK = "glance-barclamp-provision";
export const DB_SYNC_LOCK = "glance-barclamp-db-sync";

/** Runs `action` holding a server-wide named lock, so that nodes never provision or migrate at once. */
export const withMysqlLock = async <T>(target: MysqlTarget, name: string, timeoutSeconds: number, action: () => Promise<T>): Promise<T> => {
  const admin = await connectAdmin(target);
  try {
    const [rows] = await admin.query("SELECT GET_LOCK(?, ?) AS got", [name, timeoutSeconds]);
    if (Number((rows as Array<{ got: number }>)[0]?.got) !== 1)
      throw failureError("mysql-locked", `another node holds the ${name} lock on ${where(target)} (waited ${timeoutSeconds} s)`, {
        hint: "another apply or db sync of this database is running; retry when it has finished",
      });
    try {
      return await action();
    } finally {
      await admin.query("SELECT RELEASE_LOCK(?)", [name]);
    }
  } finally {
    await admin.end();
  }
};
