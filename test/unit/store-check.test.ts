/**
 * verify's Swift check over Keystone v3, against stub servers standing in for Keystone and Swift
 * (the v1 path runs against the real Swift in test/e2e/real-swift.test.ts): the token request it
 * sends, the catalog's object-store endpoint by interface and region, and each way it fails.
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SwiftAccess } from "../../src/core/swift-access.js";
import { fileStoreCheck, swiftCheck } from "../../src/verify/store-checks.js";
import { liveHost } from "../../src/engine/host.js";
import { newRoot } from "../helpers/roots.js";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { listen, urlOf } from "../helpers/http.js";

let keystone: Server;
let swift: Server;
const bodies: unknown[] = [];
const heads: string[] = [];

beforeAll(async () => {
  swift = await listen((request, response) => {
    heads.push(`${request.method ?? ""} ${request.url ?? ""} ${String(request.headers["x-auth-token"])}`);
    response.writeHead(request.url === "/v1/AUTH_p1/images" ? 204 : 404).end();
  });
  keystone = await listen((request, response) => {
    let text = "";
    request.on("data", (d: Buffer) => (text += d.toString()));
    request.on("end", () => {
      const body = JSON.parse(text) as { auth: { identity: { password: { user: { password: string } } } } };
      bodies.push(body);
      if (request.url !== "/v3/auth/tokens" || body.auth.identity.password.user.password !== "right") return void response.writeHead(401).end("{}");
      const endpoint = (iface: string, region: string) => ({ interface: iface, region_id: region, url: `${urlOf(swift)}/v1/AUTH_p1` });
      const catalog = [{ type: "object-store", endpoints: [endpoint("public", "RegionOne"), endpoint("internal", "RegionTwo")] }];
      response.writeHead(201, { "x-subject-token": "tok-1", "content-type": "application/json" }).end(JSON.stringify({ token: { catalog } }));
    });
  });
});
afterAll(() => {
  keystone.close();
  swift.close();
});

const access = (over: Partial<SwiftAccess> = {}): SwiftAccess => ({
  kind: "swift",
  authAddress: `${urlOf(keystone)}/v3`,
  authVersion: "3",
  user: "service:glance",
  keySlot: "k",
  container: "images",
  createOnPut: false,
  userDomain: "Users",
  projectDomain: "Projects",
  region: "",
  interface: "public",
  ...over,
});

describe("verify's Swift check over Keystone v3", () => {
  it("logs in as project:user with its domains, then HEADs the container at the catalog's endpoint", async () => {
    const result = await swiftCheck(access(), "right");
    expect(result).toMatchObject({ outcome: "pass" });
    expect(bodies.at(-1)).toEqual({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "glance", domain: { name: "Users" }, password: "right" } } },
        scope: { project: { name: "service", domain: { name: "Projects" } } },
      },
    });
    expect(heads.at(-1)).toBe("HEAD /v1/AUTH_p1/images tok-1");
    expect(await swiftCheck(access({ interface: "internal", region: "RegionTwo" }), "right")).toMatchObject({ outcome: "pass" });
  });

  it("fails on refused credentials, a missing endpoint, and a missing container, naming none of the secrets", async () => {
    const refused = await swiftCheck(access(), "wrong");
    expect(refused).toMatchObject({ outcome: "fail", detail: expect.stringContaining("refused service:glance (401)") as unknown });
    expect(refused.detail).not.toContain("wrong");
    expect(await swiftCheck(access({ region: "RegionTwo" }), "right")).toMatchObject({ outcome: "fail", detail: expect.stringContaining("no public object-store endpoint in region RegionTwo") as unknown });
    expect(await swiftCheck(access({ container: "absent" }), "right")).toMatchObject({ outcome: "fail", detail: expect.stringContaining("the container absent does not exist") as unknown });
    expect(await swiftCheck(access({ container: "absent", createOnPut: true }), "right")).toMatchObject({ outcome: "pass" });
  });
});

describe("verify's file store check", () => {
  it("passes on a directory this user can write, fails on a missing one and on a file", async () => {
    const dir = newRoot("gb-glance-store-");
    const store = { kind: "file" as const, path: "/var/lib/glance/images" };
    mkdirSync(join(dir, "images"));
    expect(await fileStoreCheck(store, join(dir, "images"), liveHost(), false)).toMatchObject({ outcome: "pass" });
    expect(await fileStoreCheck(store, join(dir, "absent"), liveHost(), false)).toMatchObject({ outcome: "fail", detail: "/var/lib/glance/images is missing or not writable by this user" });
    // As the glance user (root runs the check that way): a directory only root may write fails.
    if (process.geteuid?.() === 0) {
      chmodSync(join(dir, "images"), 0o755);
      chmodSync(dir, 0o755);
      expect(await fileStoreCheck(store, join(dir, "images"), liveHost(), true)).toMatchObject({ outcome: "fail", detail: expect.stringContaining("not writable by the glance user") as unknown });
    }
  });
});
