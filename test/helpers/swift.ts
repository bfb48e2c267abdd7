/**
 * A one-node Swift (Debian's 2.30) for the tests, without systemd, on 127.0.0.1: one replica,
 * rings built by swift-ring-builder, tempauth with a private memcached, every server with -v
 * (there is no /dev/log). Facts: shared/reference/swift.md.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./glance-api.js";

export interface Swift {
  /** The v1 auth URL, http://127.0.0.1:PORT/auth/v1.0 */
  authUrl: string;
  proxyPort: number;
  /** The proxy's base URL: http://127.0.0.1:PORT */
  url: string;
  /** A tempauth token and the account's storage URL. */
  login: (user: string, key: string) => Promise<{ token: string; storage: string }>;
  stop: () => Promise<void>;
}

const PYTHON = "/usr/bin/python3";

const requireSwift = (): void => {
  if (spawnSync("/usr/bin/swift-proxy-server", ["--help"]).error !== undefined) throw new Error("swift-proxy-server is missing: npm test installs swift-proxy, swift-account, swift-container, swift-object (apt-get)");
};

/** Swift's proxy behind Keystone: authtoken validates tokens with this account, keystoneauth maps roles. */
export interface SwiftKeystone {
  url: string;
  user: string;
  password: string;
  project: string;
}

/**
 * Starts Swift with one tempauth user per entry of `users` ("account:user" → key; no space in a
 * key), or, with `keystone`, behind Keystone (authtoken + keystoneauth, operator roles admin and member).
 */
export const startSwift = async (dir: string, users: Record<string, string>, keystone?: SwiftKeystone): Promise<Swift> => {
  requireSwift();
  const etc = join(dir, "etc");
  const device = join(dir, "srv/d1");
  for (const d of [etc, device, join(dir, "run"), join(dir, "log"), join(dir, "recon")]) mkdirSync(d, { recursive: true });
  const [proxyPort, accountPort, containerPort, objectPort, memcachedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const user = userInfo().username;
  writeFileSync(join(etc, "swift.conf"), "[swift-hash]\nswift_hash_path_prefix = gbtest\nswift_hash_path_suffix = gbtest\n\n[storage-policy:0]\nname = gold\ndefault = yes\n");
  const common = (port: number) =>
    `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${port}\nworkers = 0\nuser = ${user}\nswift_dir = ${etc}\ndevices = ${join(dir, "srv")}\nmount_check = false\ndisable_fallocate = true\nrecon_cache_path = ${join(dir, "recon")}\n`;
  for (const [kind, port] of [
    ["account", accountPort],
    ["container", containerPort],
    ["object", objectPort],
  ] as const)
    writeFileSync(join(etc, `${kind}-server.conf`), `${common(port)}\n[pipeline:main]\npipeline = ${kind}-server\n\n[app:${kind}-server]\nuse = egg:swift#${kind}\n`);
  // The key goes in raw: Swift's paste loader does not interpolate.
  const tempauth = Object.entries(users)
    .map(([name, key]) => `user_${name.replace(":", "_")} = ${key} .admin`)
    .join("\n");
  const auth =
    keystone === undefined
      ? { pipeline: "tempauth", filters: `[filter:tempauth]\nuse = egg:swift#tempauth\n${tempauth}\n` }
      : {
          pipeline: "authtoken keystoneauth",
          filters: `[filter:authtoken]\npaste.filter_factory = keystonemiddleware.auth_token:filter_factory\nwww_authenticate_uri = ${keystone.url}\nauth_url = ${keystone.url}\nauth_type = password\nusername = ${keystone.user}\npassword = ${keystone.password}\nproject_name = ${keystone.project}\nuser_domain_name = Default\nproject_domain_name = Default\ndelay_auth_decision = True\n\n[filter:keystoneauth]\nuse = egg:swift#keystoneauth\noperator_roles = admin, member\n`,
        };
  writeFileSync(
    join(etc, "proxy-server.conf"),
    `${common(proxyPort)}\n[pipeline:main]\npipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats ${auth.pipeline} copy dlo slo versioned_writes proxy-logging proxy-server\n\n[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n\n${auth.filters}\n[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:${memcachedPort}\n\n${["catch_errors", "gatekeeper", "healthcheck", "proxy-logging", "listing_formats", "copy", "dlo", "slo", "versioned_writes"].map((f) => `[filter:${f}]\nuse = egg:swift#${f.replace("-", "_")}\n`).join("\n")}`,
  );
  for (const [kind, port] of [
    ["account", accountPort],
    ["container", containerPort],
    ["object", objectPort],
  ] as const) {
    const builder = join(etc, `${kind}.builder`);
    for (const args of [["create", "6", "1", "1"], ["add", "--region", "1", "--zone", "1", "--ip", "127.0.0.1", "--port", String(port), "--device", "d1", "--weight", "100"], ["rebalance"]]) {
      const done = spawnSync(PYTHON, ["/usr/bin/swift-ring-builder", builder, ...args], { encoding: "utf8" });
      // rebalance exits 1 with a warning on a one-device ring.
      if (done.status !== 0 && !(args[0] === "rebalance" && done.status === 1)) throw new Error(`swift-ring-builder ${args.join(" ")}: ${done.stdout}${done.stderr}`);
    }
  }
  const children: ChildProcess[] = [spawn("memcached", ["-u", user, "-l", "127.0.0.1", "-p", String(memcachedPort), "-U", "0"], { stdio: "ignore" })];
  for (const kind of ["account", "container", "object", "proxy"])
  {
    const log = openSync(join(dir, "log", `${kind}.log`), "a");
    children.push(spawn(PYTHON, [`/usr/bin/swift-${kind}-server`, join(etc, `${kind}-server.conf`), "-v"], { stdio: ["ignore", log, log] }));
    closeSync(log);
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  };
  const authUrl = `http://127.0.0.1:${proxyPort}/auth/v1.0`;
  const login = async (name: string, key: string) => {
    const answer = await fetch(authUrl, { headers: { "x-auth-user": name, "x-auth-key": key } });
    await answer.arrayBuffer();
    const token = answer.headers.get("x-auth-token");
    const storage = answer.headers.get("x-storage-url");
    if (answer.status >= 300 || token === null || storage === null) throw new Error(`tempauth answered ${answer.status}`);
    return { token, storage };
  };
  const ready = async (): Promise<boolean> => {
    try {
      if ((await fetch(`http://127.0.0.1:${proxyPort}/healthcheck`)).status !== 200) return false;
      const [first] = Object.entries(users);
      if (first === undefined) return true;
      const { token, storage } = await login(first[0], first[1]);
      return (await fetch(storage, { headers: { "x-auth-token": token } })).status < 300;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 150 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await ready())) {
    await stop();
    throw new Error(`Swift did not start in ${dir}: see ${join(dir, "log")}`);
  }
  return { authUrl, proxyPort, url: `http://127.0.0.1:${proxyPort}`, login, stop };
};
