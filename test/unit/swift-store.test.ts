/**
 * The Swift store per release and auth version: each rule breaks and holds; a Keystone-backed store
 * renders Keystone's URL, the service user and its domains; large objects; refused multi-tenancy;
 * the cache directory glance-api creates at start.
 */
import { describe, expect, it } from "vitest";
import { inventory, only, proposalWith, validate, SWIFT_STORE } from "../helpers/proposals.js";
import { planOf } from "../helpers/plan.js";
import type { FileResource } from "../../src/core/plan/types.js";

const codes = (glance: Record<string, unknown>, inv?: ReturnType<typeof inventory>) => validate(proposalWith(glance), inv).issues.map((i) => i.code);
const withKeystone = inventory({
  nodes: { n1: { admin_address: "10.0.0.1" } },
  keystone: { ks: { host: "10.0.0.8", service_password: "pw", service_user: "glance", service_tenant: "service", region: "RegionTwo", user_domain: "Users", project_domain: "Projects", admin_user: "admin", admin_password: "a" } },
});
const fileOf = (glance: Record<string, unknown>, path: string, inv?: ReturnType<typeof inventory>) =>
  (planOf(proposalWith(glance), inv === undefined ? {} : { inventory: inv }).resources.find((r) => r.kind === "file" && r.path === path) as FileResource | undefined)?.content ?? "";

describe("Swift validation", () => {
  it("on zed, needs a scheme on the auth address, with the fixed value as the hint; diablo keeps the 2011 form", () => {
    const issue = only(validate(proposalWith({ release: "zed", ...SWIFT_STORE, swift_store_auth_address: "127.0.0.1:8080/v1.0" })).issues, "swift-address-scheme");
    expect(issue.path).toBe("attributes.glance.swift_store_auth_address");
    expect(issue.hint).toContain('"http://127.0.0.1:8080/v1.0"');
    expect(codes({ release: "zed", ...SWIFT_STORE })).toEqual([]);
    expect(codes({ release: "diablo", ...SWIFT_STORE, swift_store_auth_address: "127.0.0.1:8080/v1.0" })).toEqual([]);
  });

  it("needs account:user on every release", () => {
    for (const release of ["diablo", "zed"]) {
      expect(only(validate(proposalWith({ release, ...SWIFT_STORE, swift_store_user: "glance" })).issues, "swift-user-format").hint).toContain('"glance:glance"');
      expect(codes({ release, ...SWIFT_STORE, swift_store_user: "a:b:c" })).toContain("swift-user-format");
      expect(codes({ release, ...SWIFT_STORE, swift_store_user: "tenant:user" })).toEqual([]);
    }
    // The file store does not read them.
    expect(codes({ release: "zed", swift_store_user: "glance" })).toEqual([]);
  });

  it("refuses Keystone v2 on zed (removed from Keystone in 2018), by address or by version", () => {
    expect(codes({ release: "zed", ...SWIFT_STORE, swift_store_auth_address: "http://ks:5000/v2.0" })).toContain("swift-auth-v2");
    expect(codes({ release: "zed", ...SWIFT_STORE, swift_store_auth_version: "2" })).toContain("swift-auth-v2");
    expect(codes({ release: "zed", ...SWIFT_STORE, swift_store_auth_address: "http://ks:5000/v3" })).toEqual([]);
  });

  it("takes Keystone's credentials only with a Keystone instance, and only on zed", () => {
    expect(codes({ release: "zed", ...SWIFT_STORE, swift_store_use_keystone: true })).toContain("swift-keystone-missing");
    expect(codes({ release: "zed", ...SWIFT_STORE, use_keystone: true, swift_store_use_keystone: true }, withKeystone)).toEqual([]);
    expect(codes({ release: "diablo", ...SWIFT_STORE, use_keystone: true, swift_store_use_keystone: true }, withKeystone)).toContain("swift-keystone-unsupported");
    expect(codes({ release: "diablo", ...SWIFT_STORE, swift_store_auth_version: "3" })).toContain("swift-auth-unsupported");
  });

  it("refuses multi-tenant stores in extra_config with the reason, and large-object options that are fields now", () => {
    const refused = only(validate(proposalWith({ release: "zed", ...SWIFT_STORE, api: { extra_config: { swift: { swift_store_multi_tenant: true } } } })).issues, "extra-refused");
    expect(refused.message).toContain("multi-tenant");
    expect(only(validate(proposalWith({ release: "zed", ...SWIFT_STORE, api: { extra_config: { swift: { swift_store_large_object_size: 10 } } } })).issues, "extra-set-by-proposal").hint).toBe(
      "set attributes.glance.swift_store_large_object_size instead",
    );
  });
});

describe("Swift rendering", () => {
  it("a Keystone-backed store: Keystone's v3 URL, service_tenant:service_user with the service password, its domains and region", () => {
    const glance = { release: "zed", ...SWIFT_STORE, use_keystone: true, swift_store_use_keystone: true, swift_store_endpoint_type: "internalURL" };
    const reference = fileOf(glance, "/etc/glance/glance-swift.conf", withKeystone);
    expect(reference).toContain("auth_address = http://10.0.0.8:5000/v3\nauth_version = 3\nuser = service:glance\n");
    expect(reference).toContain("user_domain_name = Users\nproject_domain_name = Projects\n");
    expect(reference).toMatch(/key = \u0001keystone_service_password\|/u);
    const api = fileOf(glance, "/etc/glance/glance-api.conf", withKeystone);
    expect(api).toContain("swift_store_region = RegionTwo\nswift_store_endpoint_type = internalURL\n");
    // TLS: the proposal's CA file, else the Keystone instance's; insecure from either.
    const tls = inventory({ nodes: { n1: { admin_address: "10.0.0.1" } }, keystone: { ks: { host: "10.0.0.8", protocol: "https", service_password: "pw", ca_file: "/etc/ssl/keystone-ca.pem", insecure: true } } });
    const secured = fileOf(glance, "/etc/glance/glance-api.conf", tls);
    expect(secured).toContain("swift_store_cacert = /etc/ssl/keystone-ca.pem\nswift_store_auth_insecure = True\n");
    expect(fileOf({ ...glance, swift_store_cacert: "/etc/glance/swift-ca.pem" }, "/etc/glance/glance-api.conf", tls)).toContain("swift_store_cacert = /etc/glance/swift-ca.pem\n");
    expect(fileOf(glance, "/etc/glance/glance-swift.conf", tls)).toContain("auth_address = https://10.0.0.8:5000/v3\n");
  });

  it("v1 auth writes no domains or catalog settings; large objects have glance_store's defaults", () => {
    const reference = fileOf({ release: "zed", ...SWIFT_STORE }, "/etc/glance/glance-swift.conf");
    expect(reference).toContain("auth_version = 1\n");
    expect(reference).not.toContain("domain");
    const api = fileOf({ release: "zed", ...SWIFT_STORE, swift_store_large_object_size: 1024 }, "/etc/glance/glance-api.conf");
    expect(api).toContain("swift_store_large_object_size = 1024\nswift_store_large_object_chunk_size = 200\n");
    expect(api).not.toContain("swift_store_region");
  });
});

describe("directories glance-api creates at start", () => {
  it("exist in the plan on zed with caching off too, owned by glance", () => {
    const plan = planOf(proposalWith({ release: "zed", enable_caching: false }));
    const dirs = plan.resources.filter((r) => r.kind === "directory" && r.owner === "glance").map((r) => (r as { path: string }).path);
    expect(dirs).toEqual(expect.arrayContaining(["/var/lib/glance/image-cache", "/var/lib/glance/image-cache/incomplete", "/var/lib/glance/staging", "/var/lib/glance/tasks"]));
  });
});
