/**
 * A real MariaDB server for the tests: installed by `npm test` (mariadb-server), started by hand in a
 * temporary datadir on 127.0.0.1 (no systemd), with an admin account the tool provisions through.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MariaDb {
  host: "127.0.0.1";
  port: number;
  socket: string;
  adminUser: string;
  adminPassword: string;
  /** Runs SQL as root through the socket (the mariadb client). */
  sql: (statements: string, database?: string) => string;
  /** Stops the server and removes its files. */
  stop: () => Promise<void>;
  /** Stops the server only (to test an unreachable database); start() brings it back. */
  halt: () => Promise<void>;
  start: () => Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

const requireMariaDb = (): void => {
  if (spawnSync("mariadbd", ["--version"]).status !== 0) throw new Error("mariadbd is missing: npm test installs mariadb-server (apt-get)");
};

export const startMariaDb = async (): Promise<MariaDb> => {
  requireMariaDb();
  const dir = mkdtempSync(join(tmpdir(), "gb-mariadb-"));
  // Every parent of the datadir must be traversable by the mysql user; the socket's directory writable.
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const run = join(dir, "run");
  const tmp = join(dir, "tmp");
  mkdirSync(run);
  mkdirSync(tmp);
  // Its own tmpdir: servers started by test files running in parallel must not share /tmp's names.
  spawnSync("chown", ["mysql:mysql", run, tmp]);
  const install = spawnSync("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, `--tmpdir=${tmp}`, "--user=mysql", "--auth-root-authentication-method=socket", "--skip-test-db"], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const socket = join(run, "mysqld.sock");
  const port = await freePort();
  let child: ChildProcess | undefined;
  const sql = (statements: string, database?: string): string => {
    const result = spawnSync("mariadb", ["--no-defaults", `--socket=${socket}`, "--default-character-set=utf8mb4", "-u", "root", "-N", "-B", ...(database === undefined ? [] : [database])], {
      input: statements,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`mariadb: ${result.stderr}`);
    return result.stdout;
  };
  const start = async (): Promise<void> => {
    child = spawn("mariadbd", ["--no-defaults", "--user=mysql", `--datadir=${data}`, `--tmpdir=${tmp}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1", "--skip-name-resolve"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if (spawnSync("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "-u", "root", "ping"]).status === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("mariadbd did not start within 10 s");
  };
  const stop = async (): Promise<void> => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  await start();
  const adminPassword = "admin-pw-7Q";
  sql(`CREATE USER 'admin'@'%' IDENTIFIED BY '${adminPassword}'; GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION; DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;`);
  return {
    host: "127.0.0.1",
    port,
    socket,
    adminUser: "admin",
    adminPassword,
    sql,
    start,
    halt: stop,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
