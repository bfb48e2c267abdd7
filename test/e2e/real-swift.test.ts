/**
 * End to end against Debian's Swift (2.30, one node, tempauth) and the real Glance 25: a zed
 * proposal with the Swift store, applied to the live root with its paths in a temporary directory
 * (as real-glance.test.ts does), glance-api started as its unit says. Upload, the object in Swift,
 * download, delete, delayed delete through the scrubber; verify's store check both ways: it passes
 * on a working store and fails (exit 5) on a wrong key, a missing container, an unreachable Swift
 * and an https/http mismatch, and creates nothing in either.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { requireGlanceManage } from "../helpers/glance-db.js";
import { asGlance, cleanLive, freePort, holdLiveRoot, startApi, stopApi } from "../helpers/glance-api.js";
import { newRoot, writeJson } from "../helpers/roots.js";
import { startSwift, type Swift } from "../helpers/swift.js";
import { passwordToken, startKeystone, type Keystone } from "../helpers/keystone.js";

const KEY = "Sw1ft$%#key";
let swift: Swift;
let releaseLiveRoot: (() => void) | undefined;
let api: ChildProcess | undefined;

beforeAll(async () => {
  requireGlanceManage();
  releaseLiveRoot = await holdLiveRoot();
  cleanLive();
  swift = await startSwift(newRoot("gb-swift-"), { "glance:glance": KEY });
}, 120_000);
afterAll(async () => {
  if (api?.exitCode === null) await stopApi(api);
  cleanLive();
  releaseLiveRoot?.();
  await swift?.stop();
});

interface Deployment {
  dir: string;
  port: number;
  proposal: (glance?: Record<string, unknown>) => string;
  inventory: string;
}

const deployment = async (): Promise<Deployment> => {
  const dir = newRoot("gb-glance-swift-");
  chmodSync(dir, 0o755);
  const port = await freePort();
  const service = (name: string) => ({ log_file: `${dir}/log/${name}.log`, config_file: `${dir}/etc/glance-${name}.conf` });
  let n = 0;
  const proposal = (glance: Record<string, unknown> = {}) =>
    writeJson(join(dir, `proposal-${++n}.json`), {
      id: "bc-glance-e2e-swift",
      attributes: {
        glance: {
          release: "zed",
          database: "sqlite",
          use_keystone: false,
          enable_caching: false,
          working_directory: `${dir}/lib`,
          pid_directory: `${dir}/run`,
          image_cache_datadir: `${dir}/lib/cache`,
          sqlite_connection: `sqlite:///${dir}/lib/glance.sqlite`,
          default_store: "swift",
          swift_store_auth_address: swift.authUrl,
          swift_store_user: "glance:glance",
          swift_store_key: { env: "GB_SWIFT_KEY" },
          swift_store_container: "images",
          swift_store_create_container_on_put: true,
          api: { ...service("api"), bind_open_address: false, bind_port: port, extra_config: { DEFAULT: { workers: 1 }, oslo_policy: { enforce_scope: false } } },
          scrubber: service("scrubber"),
          reaper: service("reaper"),
          pruner: service("pruner"),
          prefetcher: service("prefetcher"),
          ...glance,
        },
      },
      deployment: { glance: { elements: { "glance-server": ["e2e"] } } },
    });
  const inventory = writeJson(join(dir, "inventory.json"), { nodes: { e2e: { admin_address: "127.0.0.1" } } });
  return { dir, port, proposal, inventory };
};

const cli = (d: Deployment, proposal: string, key: string, ...args: string[]) =>
  runCli([...args, proposal, "-i", d.inventory, "--node", "e2e"], { env: { ...process.env, GB_SWIFT_KEY: key } });

interface Check {
  check: string;
  outcome: string;
  detail: string;
}
const storeCheck = (result: { stdout: string }): Check | undefined => (JSON.parse(result.stdout) as { checks: Check[] }).checks.find((c) => c.check === "store");

/** What Swift holds: the account's containers, and the objects of `images`. */
const swiftState = async (): Promise<{ containers: string; images: string[] }> => {
  const { token, storage } = await swift.login("glance:glance", KEY);
  const containers = await (await fetch(storage, { headers: { "x-auth-token": token } })).text();
  const listing = await fetch(`${storage}/images`, { headers: { "x-auth-token": token } });
  return { containers, images: listing.status === 200 ? (await listing.text()).split("\n").filter((l) => l !== "") : [] };
};

const objectStatus = async (id: string): Promise<{ status: number; length: string | null }> => {
  const { token, storage } = await swift.login("glance:glance", KEY);
  const head = await fetch(`${storage}/images/${id}`, { method: "HEAD", headers: { "x-auth-token": token } });
  return { status: head.status, length: head.headers.get("content-length") };
};

const upload = async (base: string, data: Buffer): Promise<string> => {
  const created = (await (await fetch(`${base}/v2/images`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "swift-e2e", disk_format: "raw", container_format: "bare" }) })).json()) as { id: string };
  const put = await fetch(`${base}/v2/images/${created.id}/file`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: data });
  expect(put.status).toBe(204);
  return created.id;
};

describe("the real Glance 25 on a real Swift", () => {
  let d: Deployment;
  beforeAll(async () => {
    d = await deployment();
  });

  it("stores, serves and deletes images as Swift objects; verify checks the container and creates none", async () => {
    const proposal = d.proposal();
    const applied = cli(d, proposal, KEY, "apply");
    expect(applied.code, applied.stderr).toBe(0);
    // The container is absent and made on the first upload: verify says so and does not make it.
    const before = cli(d, proposal, KEY, "verify", "--json");
    expect(storeCheck(before)).toMatchObject({ outcome: "pass", detail: expect.stringContaining("the container images is created on the first upload") as unknown });
    expect((await swiftState()).containers).not.toContain("images");

    api = await startApi(d);
    const base = `http://127.0.0.1:${d.port}`;
    const data = randomBytes(300_000);
    const id = await upload(base, data);
    expect(await objectStatus(id)).toEqual({ status: 200, length: "300000" });
    const verified = cli(d, proposal, KEY, "verify");
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/PASS\s+store\s+Swift container images at http:\/\/127\.0\.0\.1:\d+\/v1\/AUTH_glance/u);
    const served = Buffer.from(await (await fetch(`${base}/v2/images/${id}/file`)).arrayBuffer());
    expect(createHash("md5").update(served).digest("hex")).toBe(createHash("md5").update(data).digest("hex"));
    expect((await fetch(`${base}/v2/images/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await objectStatus(id)).status).toBe(404);
    // No warning in Glance's log about the store.
    expect(readFileSync(`${d.dir}/log/api.log`, "utf8")).not.toMatch(/WARNING glance_store/u);
  }, 180_000);

  it("with delayed_delete, keeps the object until the scrubber removes it", async () => {
    const proposal = d.proposal({ delayed_delete: true, scrub_time: 0 });
    expect(cli(d, proposal, KEY, "apply").code).toBe(0);
    if (api !== undefined) await stopApi(api);
    api = await startApi(d);
    const base = `http://127.0.0.1:${d.port}`;
    const id = await upload(base, randomBytes(50_000));
    expect((await fetch(`${base}/v2/images/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await objectStatus(id)).status).toBe(200);
    const listed = JSON.parse(cli(d, proposal, KEY, "index", "-f", "json", "--all").stdout) as Array<{ id: string; status: string }>;
    expect(listed.find((i) => i.id === id)?.status).toBe("pending_delete");
    // The scrubber as cron runs it: the rendered entry's command, as the glance user.
    const line = readFileSync("/etc/cron.d/glance-scrubber", "utf8").split("\n").find((l) => / glance \//u.test(l)) ?? "";
    const command = line.slice(line.indexOf(" glance ") + " glance ".length).split(" ");
    const scrubbed = spawnSync(asGlance(command)[0] as string, asGlance(command).slice(1), { encoding: "utf8", timeout: 120_000 });
    expect(scrubbed.status, scrubbed.stderr).toBe(0);
    expect((await objectStatus(id)).status).toBe(404);
  }, 180_000);

  it("fails verify's store check (exit 5) on a wrong key, a missing container, an unreachable Swift and an https mismatch, creating nothing", async () => {
    const state = await swiftState();
    const images = JSON.parse(cli(d, d.proposal(), KEY, "index", "-f", "json", "--all").stdout) as unknown[];
    const unreachable = `http://127.0.0.1:${await freePort()}/auth/v1.0`;
    const cases: Array<[string, string, RegExp]> = [
      [d.proposal(), "Wr0ng-key", /refused the credentials of glance:glance \(401\)/u],
      [d.proposal({ swift_store_container: "absent", swift_store_create_container_on_put: false }), KEY, /the container absent does not exist .* swift_store_create_container_on_put is false/u],
      [d.proposal({ swift_store_auth_address: unreachable }), KEY, /ECONNREFUSED/u],
      [d.proposal({ swift_store_auth_address: swift.authUrl.replace("http:", "https:") }), KEY, /Swift: https:\/\/127\.0\.0\.1:\d+\/auth\/v1\.0: /u],
    ];
    for (const [proposal, key, detail] of cases) {
      const result = cli(d, proposal, key, "verify", "--json");
      expect(result.code, result.stdout).toBe(5);
      const check = storeCheck(result);
      expect(check?.outcome, JSON.stringify(check)).toBe("fail");
      expect(check?.detail).toMatch(detail);
      expect(`${result.stdout}${result.stderr}`).not.toContain(KEY);
    }
    expect(await swiftState()).toEqual(state);
    expect(JSON.parse(cli(d, d.proposal(), KEY, "index", "-f", "json", "--all").stdout)).toEqual(images);
  }, 120_000);
});

describe("the real Glance 25 on Swift behind the real Keystone (authtoken + keystoneauth)", () => {
  const SERVICE_PASSWORD = "glance-ks-Pw/1";
  let keystone: Keystone;
  let keystoneSwift: Swift;
  beforeAll(async () => {
    if (api !== undefined && api.exitCode === null) await stopApi(api);
    api = undefined;
    keystone = await startKeystone();
    keystoneSwift = await startSwift(newRoot("gb-swift-ks-"), {}, { url: keystone.url, user: "admin", password: keystone.adminPassword, project: "admin" });
    // Swift in Keystone's catalog, as a Swift deployment registers it.
    const headers = { "x-auth-token": await keystone.adminToken(), "content-type": "application/json" };
    const service = (await (await fetch(`${keystone.url}/v3/services`, { method: "POST", headers, body: JSON.stringify({ service: { type: "object-store", name: "swift" } }) })).json()) as { service: { id: string } };
    for (const iface of ["public", "internal"])
      expect(
        (await fetch(`${keystone.url}/v3/endpoints`, { method: "POST", headers, body: JSON.stringify({ endpoint: { service_id: service.service.id, interface: iface, region_id: keystone.region, url: `${keystoneSwift.url}/v1/AUTH_$(project_id)s` } }) }))
          .status,
      ).toBe(201);
  }, 180_000);
  afterAll(async () => {
    if (api !== undefined && api.exitCode === null) await stopApi(api);
    await keystoneSwift?.stop();
    keystone?.stop();
  });

  it("takes Keystone's service user for Swift: the reference file, verify's store check, an upload into the service project's account", async () => {
    const d = await deployment();
    const inventory = writeJson(join(d.dir, "keystone.inventory.json"), {
      nodes: { e2e: { admin_address: "127.0.0.1" } },
      keystone: { ks: { host: "127.0.0.1", port: keystone.port, admin_user: "admin", admin_password: { env: "KS_ADMIN_PASSWORD" }, service_password: { env: "GLANCE_KS_PASSWORD" }, region: keystone.region } },
    });
    const proposal = d.proposal({ use_keystone: true, swift_store_use_keystone: true, swift_store_endpoint_type: "internalURL" });
    const run = (password: string, ...args: string[]) =>
      runCli([...args, proposal, "-i", inventory, "--node", "e2e"], { env: { ...process.env, KS_ADMIN_PASSWORD: keystone.adminPassword, GLANCE_KS_PASSWORD: password } });
    const applied = run(SERVICE_PASSWORD, "apply");
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(`${d.dir}/etc/glance-swift.conf`, "utf8")).toContain(`auth_address = http://127.0.0.1:${keystone.port}/v3\nauth_version = 3\nuser = service:glance\n`);
    const glanceToken = async () => (await passwordToken(keystone.url, "glance", SERVICE_PASSWORD, "service")).headers.get("x-subject-token") ?? "";
    api = await startApi(d, glanceToken);
    const verified = run(SERVICE_PASSWORD, "verify");
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`PASS\\s+store\\s+Swift at ${keystoneSwift.url}/v1/AUTH_[0-9a-f]+ \\(the container images is created on the first upload\\)`, "u"));

    // Upload with the glance user's token; the object lands in the service project's account.
    const login = await passwordToken(keystone.url, "glance", SERVICE_PASSWORD, "service");
    const token = login.headers.get("x-subject-token") ?? "";
    const catalog = ((await login.json()) as { token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } }).token.catalog;
    const storage = catalog.find((s) => s.type === "object-store")?.endpoints.find((e) => e.interface === "internal")?.url ?? "";
    const base = `http://127.0.0.1:${d.port}`;
    const created = (await (await fetch(`${base}/v2/images`, { method: "POST", headers: { "content-type": "application/json", "x-auth-token": token }, body: JSON.stringify({ name: "ks-swift", disk_format: "raw", container_format: "bare" }) })).json()) as { id: string };
    const put = await fetch(`${base}/v2/images/${created.id}/file`, { method: "PUT", headers: { "content-type": "application/octet-stream", "x-auth-token": token }, body: randomBytes(40_000) });
    expect(put.status).toBe(204);
    const head = await fetch(`${storage}/images/${created.id}`, { method: "HEAD", headers: { "x-auth-token": token } });
    expect([head.status, head.headers.get("content-length")]).toEqual([200, "40000"]);

    // A wrong service password fails the store check (and Keystone's), naming no secret.
    const refused = run("not-the-password", "verify", "--json");
    expect(refused.code).toBe(5);
    expect(storeCheck(refused)).toMatchObject({ outcome: "fail", detail: expect.stringContaining("refused service:glance (401)") as unknown });
    expect(refused.stdout).not.toContain(SERVICE_PASSWORD);
  }, 240_000);
});
