/**
 * End to end against the real Keystone (22.0) and the real Glance 25 from Debian 12: a zed proposal
 * with Keystone on, an inventory naming Keystone's administrator, a memcached for the token cache.
 * apply registers Glance (and a second apply changes nothing in Keystone); glance-api refuses a
 * request without a token and serves one with it, with no warning in its log; index lists through
 * the API with a token and with OS_* variables; verify passes, then fails when Keystone no longer
 * holds what Glance needs (the glance user's password changed, a wrong region, the endpoints gone).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { runCli, runCliAsync, type CliResult } from "../helpers/cli.js";
import { cleanLive, freePort, holdLiveRoot, startApi, stopApi } from "../helpers/glance-api.js";
import { requireGlanceManage } from "../helpers/glance-db.js";
import { passwordToken, startKeystone, type Keystone } from "../helpers/keystone.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const SERVICE_PASSWORD = "gl@nce$Service%pw";

let keystone: Keystone;
let memcached: ChildProcess | undefined;
let memcachedPort = 0;
let api: ChildProcess | undefined;
let dir = "";
let port = 0;
const files: { proposal: string; inventory: string } = { proposal: "", inventory: "" };

const env = (): NodeJS.ProcessEnv => ({ ...process.env, KS_ADMIN_PASSWORD: keystone.adminPassword, GLANCE_KS_PASSWORD: SERVICE_PASSWORD });
const cli = (...args: string[]): CliResult => runCli([...args, files.proposal, "-i", files.inventory, "--node", "e2e"], { env: env() });
const noSecret = (result: CliResult): void => {
  for (const secret of [keystone.adminPassword, SERVICE_PASSWORD, encodeURIComponent(SERVICE_PASSWORD)]) expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
};
const keystoneChange = (result: CliResult) => (JSON.parse(result.stdout) as { changes: Array<{ kind: string; action: string; details: string[] }> }).changes.find((c) => c.kind === "keystone");
const glanceToken = async (): Promise<string> => {
  const response = await passwordToken(keystone.url, "glance", SERVICE_PASSWORD, "service");
  if (response.status !== 201) throw new Error(`glance token: ${response.status}`);
  return response.headers.get("x-subject-token") ?? "";
};
const admin = async (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${keystone.url}${path}`, {
    method,
    headers: { "x-auth-token": await keystone.adminToken(), "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const inventory = (overrides: Record<string, unknown> = {}) => ({
  nodes: { e2e: { admin_address: "127.0.0.1" } },
  keystone: {
    ks: {
      host: "127.0.0.1",
      port: keystone.port,
      admin_user: "admin",
      admin_password: { env: "KS_ADMIN_PASSWORD" },
      service_password: { env: "GLANCE_KS_PASSWORD" },
      region: keystone.region,
      memcached_servers: [`127.0.0.1:${memcachedPort}`],
      ...overrides,
    },
  },
});

let releaseLiveRoot: (() => void) | undefined;
beforeAll(async () => {
  requireGlanceManage();
  releaseLiveRoot = await holdLiveRoot();
  cleanLive();
  keystone = await startKeystone();
  memcachedPort = await freePort();
  memcached = spawn("memcached", ["-u", "root", "-l", "127.0.0.1", "-p", String(memcachedPort), "-U", "0"], { stdio: "ignore" });
  dir = newRoot("gb-glance-e2e-keystone-");
  chmodSync(dir, 0o755);
  port = await freePort();
  const service = (name: string) => ({ log_file: `${dir}/log/${name}.log`, config_file: `${dir}/etc/glance-${name}.conf` });
  files.proposal = writeJson(join(dir, "proposal.json"), {
    id: "bc-glance-e2e-keystone",
    attributes: {
      glance: {
        release: "zed",
        database: "sqlite",
        use_keystone: true,
        working_directory: `${dir}/lib`,
        pid_directory: `${dir}/run`,
        filesystem_store_datadir: `${dir}/lib/images`,
        sqlite_connection: `sqlite:///${dir}/lib/glance.sqlite`,
        api: { ...service("api"), bind_open_address: false, bind_port: port },
        scrubber: service("scrubber"),
        reaper: service("reaper"),
        pruner: service("pruner"),
        prefetcher: service("prefetcher"),
      },
    },
    deployment: { glance: { elements: { "glance-server": ["e2e"] } } },
  });
  files.inventory = writeJson(join(dir, "inventory.json"), inventory());
}, 120_000);

afterAll(async () => {
  if (api?.exitCode === null) await stopApi(api);
  memcached?.kill();
  keystone?.stop();
  cleanLive();
  releaseLiveRoot?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("the real Keystone and Glance 25", () => {
  it("registers Glance once, then changes nothing in Keystone", () => {
    const first = cli("apply", "--json");
    expect(first.code, first.stderr).toBe(0);
    noSecret(first);
    expect(keystoneChange(first)).toMatchObject({ action: "create" });
    expect(keystoneChange(first)?.details).toEqual([
      "create project service",
      "create user glance",
      "grant role admin to glance on project service",
      "create service glance (type image)",
      `create public endpoint http://127.0.0.1:${port} in RegionOne`,
      `create internal endpoint http://127.0.0.1:${port} in RegionOne`,
      `create admin endpoint http://127.0.0.1:${port} in RegionOne`,
    ]);
    const second = cli("apply", "--json");
    expect(second.code, second.stderr).toBe(0);
    expect(keystoneChange(second)).toMatchObject({ action: "unchanged", details: [] });
  });

  it("serves only with a token, without a warning in glance-api's log", async () => {
    const synced = cli("db", "sync");
    expect(synced.code, synced.stderr).toBe(0);
    api = await startApi({ dir, port }, glanceToken);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/v2/images`)).status).toBe(401);
    const token = await glanceToken();
    const headers = { "x-auth-token": token, "content-type": "application/json" };
    expect((await fetch(`${base}/v2/images`, { headers })).status).toBe(200);
    const created = (await (await fetch(`${base}/v2/images`, { method: "POST", headers, body: JSON.stringify({ name: "cirros-ks", disk_format: "raw", container_format: "bare" }) })).json()) as { id: string };
    const put = await fetch(`${base}/v2/images/${created.id}/file`, { method: "PUT", headers: { "x-auth-token": token, "content-type": "application/octet-stream" }, body: Buffer.alloc(4096, 7) });
    expect(put.status).toBe(204);
    const log = readFileSync(join(dir, "log/api.log"), "utf8");
    expect(log.split("\n").filter((l) => / (WARNING|CRITICAL|ERROR) /u.test(l))).toEqual([]);
  });

  it("seeds an image with the glance user's token, public as the 2011 barclamp made them", async () => {
    const data = Buffer.alloc(8192, 3);
    const www: Server = createServer((_request, response) => response.writeHead(200, { "content-length": data.length }).end(data));
    await new Promise<void>((resolve) => www.listen(0, "127.0.0.1", resolve));
    const seeded = JSON.parse(readFileSync(files.proposal, "utf8")) as { attributes: { glance: Record<string, unknown> } };
    seeded.attributes.glance.images = [{ url: `http://127.0.0.1:${(www.address() as AddressInfo).port}/seed.raw`, name: "seed-ks", visibility: "public" }];
    const file = writeJson(join(dir, "seeded.json"), seeded);
    const first = await runCliAsync(["images", "sync", file, "-i", files.inventory, "--node", "e2e"], env());
    const second = await runCliAsync(["images", "sync", file, "-i", files.inventory, "--node", "e2e"], env());
    www.close();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/uploaded\s+seed-ks/u);
    expect(second.stdout).toMatch(/present\s+seed-ks/u);
    noSecret(first);
    const token = await glanceToken();
    const images = (await (await fetch(`http://127.0.0.1:${port}/v2/images?name=seed-ks`, { headers: { "x-auth-token": token } })).json()) as { images: Array<{ visibility: string; size: number }> };
    expect(images.images).toEqual([expect.objectContaining({ visibility: "public", size: 8192 })]);
  });

  it("lists through the API with a token, and with the OS_* variables every client reads", async () => {
    const listedWithToken = runCli(["index", "-H", "127.0.0.1", "-p", String(port), "-A", await glanceToken(), "-f", "json"]);
    expect(listedWithToken.code, listedWithToken.stderr).toBe(0);
    expect(JSON.parse(listedWithToken.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: "cirros-ks", size: 4096, status: "active" })]));
    const withToken = runCli(["index", "-H", "127.0.0.1", "-p", String(port), "-A", "no-such-token", "-f", "json"]);
    expect(withToken.code).toBe(1);
    // No listing began: stdout holds only the error, in the JSON shape every --json error has.
    expect((JSON.parse(withToken.stdout) as { error: { code: string } }).error.code).toBe("api-error");
    expect(withToken.stderr).toContain("answered 401");
    const variables = {
      ...process.env,
      OS_AUTH_URL: `${keystone.url}/v3`,
      OS_USERNAME: "glance",
      OS_PASSWORD: SERVICE_PASSWORD,
      OS_PROJECT_NAME: "service",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_REGION_NAME: "RegionOne",
      OS_INTERFACE: "public",
    };
    const listed = runCli(["index", "-f", "json"], { env: variables });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: "cirros-ks", size: 4096, status: "active" })]));
    const wrong = runCli(["index", "-f", "json"], { env: { ...variables, OS_PASSWORD: "wrong" } });
    expect(wrong.code).toBe(1);
    expect((JSON.parse(wrong.stdout) as { error: { message: string } }).error.message).toContain("refused the credentials of glance");
    expect(wrong.stdout).not.toContain(SERVICE_PASSWORD);
    expect(wrong.stderr).toContain("refused the credentials of glance");
    expect(wrong.stderr).not.toContain(SERVICE_PASSWORD);
  });

  it("verifies the token, the catalog and the API, and fails when Keystone no longer matches", async () => {
    const passing = cli("verify");
    expect(passing.code, passing.stdout).toBe(0);
    expect(passing.stdout).toMatch(/PASS\s+keystone token\s+http:\/\/127\.0\.0\.1:\d+: glance in project service/u);
    expect(passing.stdout).toMatch(/PASS\s+keystone catalog\s+image endpoints in RegionOne/u);
    expect(passing.stdout).toMatch(/PASS\s+api\s+http:\/\/127\.0\.0\.1:\d+: \/versions \d+, \/v2\/images\?limit=1 401 without a token, 200 with a token/u);
    noSecret(passing);

    // The glance user's password changed behind glance-barclamp's back.
    const users = (await (await admin("GET", "/v3/users?name=glance")).json()) as { users: Array<{ id: string }> };
    const userId = users.users[0]?.id ?? "";
    expect((await admin("PATCH", `/v3/users/${userId}`, { user: { password: "changed-behind-its-back" } })).status).toBe(200);
    const refused = cli("verify");
    expect(refused.code).toBe(5);
    expect(refused.stdout).toMatch(/FAIL\s+keystone token\s+.*refused glance in project service \(401\): its password in Keystone is not the inventory's/u);
    // apply resets it.
    const reset = cli("apply", "--json");
    expect(keystoneChange(reset)?.details).toEqual(["reset the password of user glance (Keystone refused the inventory's)"]);
    // The reset is a change of what glance-api authenticates with: apply restarts it (systemd runs it there; here the test does).
    expect(reset.stdout).toMatch(/"target": "glance-api.service",\s+"action": "skipped",\s+"details": \[\s+"systemd is not running: would restart \(keystone:glance changed\)"/u);
    if (api !== undefined) await stopApi(api);
    api = await startApi({ dir, port }, glanceToken);
    const afterReset = cli("verify");
    expect(afterReset.code, afterReset.stdout).toBe(0);

    // A region Keystone does not serve.
    writeJson(files.inventory, inventory({ region: "RegionTwo" }));
    const region = runCli(["verify", files.proposal, "-i", files.inventory, "--node", "e2e"], { env: env() });
    expect(region.code).toBe(5);
    expect(region.stdout).toMatch(/FAIL\s+keystone catalog\s+no internal identity endpoint in region RegionTwo/u);
    writeJson(files.inventory, inventory());

    // The image endpoints removed.
    const service = ((await (await admin("GET", "/v3/services?type=image")).json()) as { services: Array<{ id: string }> }).services[0]?.id ?? "";
    const endpoints = ((await (await admin("GET", `/v3/endpoints?service_id=${service}`)).json()) as { endpoints: Array<{ id: string }> }).endpoints;
    for (const endpoint of endpoints) expect((await admin("DELETE", `/v3/endpoints/${endpoint.id}`)).status).toBe(204);
    const gone = cli("verify");
    expect(gone.code).toBe(5);
    expect(gone.stdout).toMatch(/FAIL\s+keystone catalog\s+no public or internal image endpoint in region RegionOne/u);
    expect(cli("apply").code).toBe(0);
    expect(cli("verify").code).toBe(0);
  }, 120_000);

  it("stops before any change when Keystone is unreachable or refuses the administrator", async () => {
    const config = join(dir, "etc/glance-api.conf");
    const before = readFileSync(config, "utf8");
    // A change is pending (debug on), and Keystone cannot be reached: nothing is written.
    const proposal = JSON.parse(readFileSync(files.proposal, "utf8")) as { attributes: { glance: { api: Record<string, unknown> } } };
    proposal.attributes.glance.api.debug = true;
    const changed = writeJson(join(dir, "debug.json"), proposal);
    const closed = await freePort();
    for (const [overrides, message] of [
      [{ port: closed }, `cannot reach Keystone at http://127.0.0.1:${closed}: ECONNREFUSED`],
      [{ admin_password: "not-the-password" }, "refused the credentials of admin in project admin (401)"],
    ] as const) {
      const bad = writeJson(join(dir, "bad.inventory.json"), inventory(overrides));
      const result = runCli(["apply", changed, "-i", bad, "--node", "e2e"], { env: env() });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
      noSecret(result);
      expect(readFileSync(config, "utf8")).toBe(before);
    }
  });
});
