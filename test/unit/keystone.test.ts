/**
 * Keystone in the plan and in validation: the keystone_authtoken zed renders from the inventory's
 * instance, the registration resource (once, on the node that migrates the schema), the
 * inventory's rules, and what verify requires of the API (a stub Keystone and API here; the real
 * ones in test/e2e/real-keystone.test.ts).
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeystoneResource } from "../../src/core/plan/types.js";
import { validateInventoryText } from "../../src/core/proposal/validate.js";
import { fileAt, masked, planOf } from "../helpers/plan.js";
import { inventory, proposalWith, validate, SWIFT_STORE } from "../helpers/proposals.js";
import { listen, portOf } from "../helpers/http.js";
import { newRoot } from "../helpers/roots.js";
import { applyThenVerify } from "../helpers/staging.js";

const nodes = { n1: { admin_address: "10.0.0.1", public_address: "192.0.2.1" }, n2: { admin_address: "10.0.0.2" } };
const site = (keystone: Record<string, unknown>) => inventory({ nodes, keystone: { ks: { host: "10.0.0.8", service_password: "pw", ...keystone } } });
const zed = (glance: Record<string, unknown> = {}, elements?: Record<string, string[]>) => proposalWith({ release: "zed", use_keystone: true, ...glance }, elements);
const registration = (plan: ReturnType<typeof planOf>) => plan.resources.find((r): r is KeystoneResource => r.kind === "keystone");

describe("keystone_authtoken on zed", () => {
  it("uses Keystone's one endpoint, its path and internal URL, CA, region and memcached", () => {
    const plan = planOf(zed(), {
      inventory: site({
        port: 5001,
        path: "/identity",
        internal_url: "https://keystone.internal:5000/identity",
        ca_file: "/etc/ssl/certs/site-ca.pem",
        region: "Lab",
        memcached_servers: ["10.0.0.20:11211", "10.0.0.21:11211"],
        memcache_security_strategy: "ENCRYPT",
        memcache_secret_key: { env: "MEMCACHE_KEY" },
      }),
    });
    const conf = masked(fileAt(plan, "/etc/glance/glance-api.conf"));
    const section = conf.slice(conf.indexOf("[keystone_authtoken]"));
    expect(section).toContain("www_authenticate_uri = http://10.0.0.8:5001/identity\nauth_url = https://keystone.internal:5000/identity\n");
    for (const line of ["region_name = Lab", "interface = internal", "service_type = image", "service_token_roles_required = true", "cafile = /etc/ssl/certs/site-ca.pem", "memcached_servers = 10.0.0.20:11211,10.0.0.21:11211", "memcache_security_strategy = ENCRYPT", "memcache_secret_key = ********"])
      expect(section).toContain(`${line}\n`);
    expect(section).not.toContain("insecure");
    expect(section).not.toContain("35357");
    expect(fileAt(plan, "/etc/glance/glance-api.conf").mode).toBe("0640");
  });

  it("leaves out what the inventory does not set", () => {
    const section = masked(fileAt(planOf(zed(), { inventory: site({}) }), "/etc/glance/glance-api.conf"));
    expect(section).toContain("auth_url = http://10.0.0.8:5000\n");
    for (const option of ["cafile", "memcached_servers", "memcache_security_strategy", "insecure"]) expect(section).not.toContain(option);
  });
});

describe("registration in the plan", () => {
  it("happens once, from the first glance-server, with the node's public and admin addresses", () => {
    const proposal = zed({ database: "mysql", mysql_password: "x", ...SWIFT_STORE }, { "glance-server": ["n1", "n2"] });
    const inv = inventory({
      nodes,
      mysql: { db: { host: "10.0.0.9", admin_password: "x" } },
      keystone: { ks: { host: "10.0.0.8", service_password: "pw", admin_user: "admin", admin_password: { env: "KS_ADMIN" } } },
    });
    const first = planOf(proposal, { inventory: inv, node: "n1" });
    expect(registration(first)).toMatchObject({ runsHere: true, endpoints: { public: "http://192.0.2.1:9292", internal: "http://10.0.0.1:9292", admin: "http://10.0.0.1:9292" } });
    expect(first.secrets.map((s) => s.name)).toContain("keystone_admin_password");
    const second = planOf(proposal, { inventory: inv, node: "n2" });
    expect(registration(second)).toMatchObject({ runsHere: false, description: "Glance is registered in Keystone from n1" });
    expect(registration(second)?.endpoints).toBeUndefined();
    expect(second.secrets.map((s) => s.name)).not.toContain("keystone_admin_password");
    const balanced = planOf({ ...proposal, attributes: { glance: { ...(proposal.attributes as { glance: object }).glance, api: { public_url: "https://images.example.com" } } } }, { inventory: inv, node: "n1" });
    expect(registration(balanced)?.endpoints).toEqual({ public: "https://images.example.com", internal: "https://images.example.com", admin: "https://images.example.com" });
  });

  it("is absent from diablo's plans, whose Keystone had no v3 API", () => {
    expect(registration(planOf(proposalWith({ use_keystone: true }), { inventory: site({ admin_token: "t" }) }))).toBeUndefined();
  });
});

describe("the inventory's Keystone", () => {
  const check = (keystone: Record<string, unknown>) => validateInventoryText(JSON.stringify({ keystone: { ks: { host: "k", ...keystone } } }), "i.json");
  it.each([
    [{ admin_user: "admin" }, "keystone.ks.admin_password", "admin_user and admin_password go together"],
    [{ admin_password: "x" }, "keystone.ks.admin_user", "admin_user and admin_password go together"],
    [{ memcached_servers: ["m:11211"], memcache_security_strategy: "MAC" }, "keystone.ks.memcache_secret_key", "needs memcache_secret_key"],
    [{ memcache_security_strategy: "MAC", memcache_secret_key: "k" }, "keystone.ks.memcached_servers", "needs memcached_servers"],
    [{ internal_url: "ftp://k/identity" }, "keystone.ks.internal_url", "must be an http or https URL"],
    [{ internal_url: "http://admin:pw@k:5000" }, "keystone.ks.internal_url", "no user or password"],
    [{ path: "identity/" }, "keystone.ks.path", "must be empty or a URL path"],
    [{ memcached_servers: ["m"] }, "keystone.ks.memcached_servers[0]", "must be HOST:PORT"],
  ])("refuses %j", (keystone, path, message) => {
    const result = check(keystone);
    expect(result.valid).toBe(false);
    const issue = result.issues.find((i) => i.path === path);
    expect(issue?.message, JSON.stringify(result.issues)).toContain(message);
  });

  it("accepts a complete instance", () => {
    expect(check({ admin_user: "admin", admin_password: { env: "P" }, memcached_servers: ["m:11211"], memcache_security_strategy: "MAC", memcache_secret_key: { file: "/etc/k" }, path: "/identity" }).valid).toBe(true);
  });

  it("warns that Glance is not registered without an administrator, on a release that registers", () => {
    const warned = validate(zed(), site({}));
    expect(warned.issues.map((i) => i.code)).toContain("keystone-not-registered");
    expect(validate(zed(), site({ admin_user: "admin", admin_password: "x" })).issues.map((i) => i.code)).not.toContain("keystone-not-registered");
    expect(validate(proposalWith({ use_keystone: true }), site({ admin_token: "t" })).issues.map((i) => i.code)).not.toContain("keystone-not-registered");
  });
});

describe("verify with Keystone (stubs)", () => {
  let api: Server;
  let ks: Server;
  let apiPort = 0;
  let ksPort = 0;
  let guardOn = true;
  const serve = async (handler: Parameters<typeof listen>[0]): Promise<[Server, number]> => {
    const server = await listen(handler);
    return [server, portOf(server)];
  };
  beforeAll(async () => {
    [api, apiPort] = await serve((request, response) => {
      if (request.url === "/versions") return void response.writeHead(200).end();
      const token = request.headers["x-auth-token"];
      response.writeHead(!guardOn || token === "good-token" ? 200 : 401).end("{}");
    });
    [ks, ksPort] = await serve((_request, response) => {
      const catalog = [
        { type: "identity", endpoints: [{ interface: "internal", region_id: "RegionOne", url: `http://127.0.0.1:${ksPort}` }] },
        { type: "image", endpoints: ["public", "internal", "admin"].map((i) => ({ interface: i, region_id: "RegionOne", url: `http://127.0.0.1:${apiPort}` })) },
      ];
      response.writeHead(201, { "x-subject-token": "good-token", "content-type": "application/json" }).end(JSON.stringify({ token: { catalog } }));
    });
  });
  afterAll(() => {
    api.close();
    ks.close();
  });

  const run = async () => {
    const inv = inventory({ nodes: { n1: { admin_address: "127.0.0.1" } }, keystone: { ks: { host: "127.0.0.1", port: ksPort, service_password: "pw", admin_user: "admin", admin_password: "a" } } });
    const proposal = zed({ api: { bind_port: apiPort } });
    const plan = planOf(proposal, { inventory: inv });
    return applyThenVerify(plan, { proposal: validate(proposal, inv).proposal, inventory: inv }, newRoot("gb-verify-ks-"), { kind: "sqlite", path: "/nonexistent" });
  };

  it("passes when the API refuses a request without a token and serves one with it", async () => {
    guardOn = true;
    const results = await run();
    expect(results.find((r) => r.check === "keystone token")?.outcome).toBe("pass");
    expect(results.find((r) => r.check === "keystone catalog")?.outcome).toBe("pass");
    expect(results.find((r) => r.check === "api")).toMatchObject({ outcome: "pass", detail: expect.stringContaining("/v2/images?limit=1 401 without a token, 200 with a token") as string });
  });

  it("fails when the API answers without a token: authentication is off", async () => {
    guardOn = false;
    const api = (await run()).find((r) => r.check === "api");
    expect(api).toMatchObject({ outcome: "fail" });
    expect(api?.detail).toContain("answered 200 without a token: Keystone authentication is not in effect");
  });
});
