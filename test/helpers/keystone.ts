/**
 * A real Keystone (Debian 12's, 22.0) for tests, without systemd: SQLite in a temporary directory,
 * fernet and credential keys written directly, bootstrapped with an admin and the identity
 * endpoints in RegionOne, served by uwsgi on 127.0.0.1 (see shared/reference/keystone.md for the
 * traps: one process and thread, Connection: close, WAL).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { newRoot } from "./roots.js";

export interface Keystone {
  url: string;
  port: number;
  region: string;
  adminUser: string;
  adminPassword: string;
  /** An admin token scoped to the admin project, for tests that change Keystone behind glance-barclamp's back. */
  adminToken: () => Promise<string>;
  stop: () => void;
}

const requireKeystone = (): void => {
  if (!existsSync("/usr/bin/keystone-manage") || !existsSync("/usr/bin/uwsgi"))
    throw new Error("Keystone is missing: npm test installs keystone (apt-get)");
};

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

const run = (argv: string[]): void => {
  const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stdout}${result.stderr}`);
};

const fernetKey = (): string => randomBytes(32).toString("base64url") + "=";

export const passwordToken = async (url: string, user: string, password: string, project: string): Promise<Response> =>
  fetch(`${url}/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: user, domain: { id: "default" }, password } } },
        scope: { project: { name: project, domain: { id: "default" } } },
      },
    }),
  });

export const startKeystone = async (): Promise<Keystone> => {
  requireKeystone();
  const dir = newRoot("gb-keystone-");
  chmodSync(dir, 0o755);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const region = "RegionOne";
  const adminPassword = randomBytes(12).toString("hex");
  for (const keys of ["fernet", "credential"]) {
    mkdirSync(join(dir, keys), { mode: 0o700 });
    writeFileSync(join(dir, keys, "0"), fernetKey());
    writeFileSync(join(dir, keys, "1"), fernetKey());
  }
  const config = join(dir, "keystone.conf");
  writeFileSync(
    config,
    [
      "[DEFAULT]",
      `log_file = ${dir}/keystone.log`,
      "[database]",
      `connection = sqlite:///${dir}/ks.sqlite`,
      "[fernet_tokens]",
      `key_repository = ${dir}/fernet`,
      "[fernet_receipts]",
      `key_repository = ${dir}/fernet`,
      "[credential]",
      `key_repository = ${dir}/credential`,
      "[identity]",
      "password_hash_rounds = 4",
      "[cache]",
      "enabled = true",
      "backend = dogpile.cache.memory",
      "",
    ].join("\n"),
  );
  run(["keystone-manage", "--config-file", config, "db_sync"]);
  run(["sqlite3", join(dir, "ks.sqlite"), "PRAGMA journal_mode=WAL;"]);
  run([
    "keystone-manage",
    "--config-file",
    config,
    "bootstrap",
    "--bootstrap-password",
    adminPassword,
    "--bootstrap-region-id",
    region,
    "--bootstrap-admin-url",
    `${url}/v3/`,
    "--bootstrap-internal-url",
    `${url}/v3/`,
    "--bootstrap-public-url",
    `${url}/v3/`,
  ]);
  const pidfile = join(dir, "uwsgi.pid");
  run([
    "uwsgi",
    "--plugin",
    "python3",
    "--http-socket",
    `127.0.0.1:${port}`,
    "--wsgi-file",
    "/usr/bin/keystone-wsgi-public",
    "--env",
    `OS_KEYSTONE_CONFIG_FILES=${config}`,
    "--add-header",
    "Connection: close",
    "--master",
    "--processes",
    "1",
    "--threads",
    "1",
    "--lazy-apps",
    "--die-on-term",
    "--need-app",
    "--buffer-size",
    "65535",
    "--pidfile",
    pidfile,
    "--daemonize",
    join(dir, "uwsgi.log"),
  ]);
  const stop = (): void => {
    try {
      process.kill(Number(readFileSync(pidfile, "utf8").trim()), "SIGINT");
    } catch {
      // already gone
    }
  };
  const adminToken = async (): Promise<string> => {
    const response = await passwordToken(url, "admin", adminPassword, "admin");
    if (response.status !== 201) throw new Error(`Keystone admin token: ${response.status} ${await response.text()}`);
    return response.headers.get("x-subject-token") ?? "";
  };
  for (let i = 0; i < 120; i++) {
    try {
      if ((await passwordToken(url, "admin", adminPassword, "admin")).status === 201) return { url, port, region, adminUser: "admin", adminPassword, adminToken, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop();
  throw new Error(`Keystone did not start: ${readFileSync(join(dir, "uwsgi.log"), "utf8").slice(-3000)}`);
};
