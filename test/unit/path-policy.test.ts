/**
 * The path policy (README "Path policy"), the URL fields and the input limits, each rule with its
 * field, position and message; then generated hostile values for every path, URL and secret field:
 * whatever validation accepts, the plan never hands a system directory to glance nor writes into
 * a kernel, package or include tree.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSystemDirectory, writeRefusal } from "../../src/core/path-policy.js";
import { buildPlan } from "../../src/core/plan/build-plan.js";
import { validateInventoryText } from "../../src/core/proposal/validate.js";
import { lineOf, only, proposalWith, validate, type Json, SWIFT_STORE } from "../helpers/proposals.js";

const service = (name: string, settings: Json): Json => ({ [name]: settings });

describe("the path policy", () => {
  it.each([
    ["a log file directly in /etc/cron.d", service("api", { log_file: "/etc/cron.d/glance-api" }), "api.log_file", "is inside /etc/cron.d", "/var/log/glance/api.log"],
    ["a log directory inside /etc/cron.d", service("api", { log_file: "/etc/cron.d/x/api.log" }), "api.log_file", "is inside /etc/cron.d", "/var/log/glance/api.log"],
    ["a config file in /proc", service("api", { config_file: "/proc/self/environ" }), "api.config_file", "is inside /proc", "/etc/glance/glance-api.conf"],
    ["a config file on the unit's own path", service("api", { config_file: "/etc/systemd/system/glance-api.service" }), "api.config_file", "is inside /etc/systemd", "/etc/glance/glance-api.conf"],
    ["a config file in sudoers.d", service("api", { config_file: "/etc/sudoers.d/glance" }), "api.config_file", "is inside /etc/sudoers.d", "/etc/glance/glance-api.conf"],
    ["a config file replacing a system file", service("api", { config_file: "/etc/passwd" }), "api.config_file", "is not dedicated to Glance", "/etc/glance/passwd"],
    ["a config file in /usr", service("api", { config_file: "/usr/lib/glance/api.conf" }), "api.config_file", "is inside /usr", "/etc/glance/glance-api.conf"],
    ["a config file in glance-barclamp's state", service("api", { config_file: "/var/lib/glance-barclamp/state.conf" }), "api.config_file", "is inside /var/lib/glance-barclamp", "/etc/glance/glance-api.conf"],
    ["the working directory /var", { working_directory: "/var" }, "working_directory", "is a directory the system owns", "/var/glance"],
    ["the PID directory /run", { pid_directory: "/run" }, "pid_directory", "is a directory the system owns", "/run/glance"],
    ["the store in /etc", { filesystem_store_datadir: "/etc" }, "filesystem_store_datadir", "is a directory the system owns", "/etc/glance"],
    ["the cache as /home", { image_cache_datadir: "/home" }, "image_cache_datadir", "is a directory the system owns", "/home/glance"],
    ["a store not dedicated to Glance", { filesystem_store_datadir: "/srv/images" }, "filesystem_store_datadir", "is not dedicated to Glance", "/srv/images/glance"],
    ["a log file straight in /var/log", service("api", { log_file: "/var/log/glance-api.log" }), "api.log_file", "/var/log is a directory the system owns", "/var/log/glance/glance-api.log"],
    ["the SQLite file in /var/lib", { sqlite_connection: "sqlite:////var/lib/glance.sqlite" }, "sqlite_connection", "/var/lib is a directory the system owns", "sqlite:////var/lib/glance/glance.sqlite"],
  ])("refuses %s, naming the field, its position and a path that works", (_name, glance, field, message, fixed) => {
    const result = validate(proposalWith({ release: "zed", ...glance }));
    const issue = only(result.issues, "path-refused");
    expect(issue.path).toBe(`attributes.glance.${field}`);
    expect(issue.message).toContain(message);
    expect(issue.hint).toBe(`use a path such as ${fixed}`);
    const key = field.split(".").at(-1) as string;
    expect(issue.line).toBe(lineOf(result.text, `"${key}"`));
  });

  it.each([
    ["a log file that is a config file", service("api", { log_file: "/etc/glance/glance-api.conf" }), "api.log_file", "paths-shared", "is the api's config file"],
    ["the SQLite file on a config file", { sqlite_connection: "sqlite:////etc/glance/glance-api.conf" }, "sqlite_connection", "paths-shared", "is the api's config file"],
    ["a log file inside a config file", service("api", { log_file: "/etc/glance/glance-api.conf/api.log" }), "api.log_file", "paths-shared", "is inside the api's config file"],
    ["a config file that is a directory", service("api", { config_file: "/var/lib/glance/images" }), "api.config_file", "paths-shared", "is the image store"],
    ["a log file in the store", service("api", { log_file: "/var/lib/glance/images/api.log" }), "api.log_file", "inside-image-store", "is inside the image store"],
    ["a config file in the cache", service("api", { config_file: "/var/lib/glance/image-cache/glance-api.conf" }), "api.config_file", "inside-image-cache", "is inside the image cache"],
    ["the SQLite file in the cache", { sqlite_connection: "sqlite:////var/lib/glance/image-cache/glance.sqlite" }, "sqlite_connection", "inside-image-cache", "is inside the image cache"],
    ["the working directory in the store", { working_directory: "/var/lib/glance/images/work" }, "working_directory", "inside-image-store", "is inside the image store"],
  ])("refuses %s", (_name, glance, field, code, message) => {
    const issues = validate(proposalWith({ release: "zed", ...glance })).issues.filter((i) => i.code === code && i.path === `attributes.glance.${field}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain(message);
  });

  it("accepts the shipped layout and other layouts dedicated to Glance", () => {
    expect(validate(proposalWith({ release: "zed" })).issues).toEqual([]);
    const custom = validate(
      proposalWith({
        release: "zed",
        filesystem_store_datadir: "/srv/glance/images",
        image_cache_datadir: "/srv/glance/cache",
        working_directory: "/opt/glance",
        api: { config_file: "/etc/glance-api.conf", log_file: "/var/log/openstack-glance/api.log" },
      }),
    );
    expect(custom.issues).toEqual([]);
  });

  it("never lets the executor give a system directory away (the guard behind validation)", () => {
    for (const dir of ["/", "/etc", "/etc/cron.d", "/etc/systemd/system", "/var", "/var/lib", "/var/log", "/run", "/var/run", "/usr", "/usr/share", "/home", "/data"])
      expect(isSystemDirectory(dir), dir).toBe(true);
    for (const dir of ["/var/lib/glance", "/var/log/glance", "/srv/glance/images"]) expect(isSystemDirectory(dir), dir).toBe(false);
  });
});

describe("URL fields", () => {
  it.each([
    ["credentials inside it", "http://glance:s3cret@127.0.0.1:8080/auth/v1.0"],
    ["a javascript: scheme", "javascript:alert(1)"],
    ["a file: scheme", "file:///etc/passwd"],
    ["credentials in the 2011 form", "glance:s3cret@127.0.0.1:8080/v1.0"],
    ["no host", "http:///v1.0"],
  ])("refuse a Swift auth address with %s", (_name, address) => {
    const issue = only(validate(proposalWith({ default_store: "swift", swift_store_auth_address: address })).issues, "invalid-value");
    expect(issue.path).toBe("attributes.glance.swift_store_auth_address");
    expect(issue.message).toContain("no user or password");
    // The value itself is never repeated in the message.
    expect(issue.message).not.toContain("s3cret");
  });

  it("accept the 2011 form and http(s) URLs", () => {
    for (const address of ["127.0.0.1:8080/v1.0", "http://swift.example:8080/auth/v1.0", "https://[::1]:8080/v3"])
      expect(validate(proposalWith({ default_store: "swift", swift_store_user: "glance:glance", swift_store_auth_address: address })).issues, address).toEqual([]);
  });
});

describe("input limits", () => {
  it("refuses a document nested 100,000 deep with a position, without overflowing the stack", () => {
    const deep = `{"id": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const issue = only(validate(deep).issues, "too-deep");
    expect(issue).toMatchObject({ line: 1, column: 71 });
  });

  it("refuses a document over the size limit", () => {
    const big = JSON.stringify({ ...proposalWith(), description: "x".repeat(17 * 1024 * 1024) });
    expect(only(validate(big).issues, "too-large").message).toContain("16 MiB");
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses the key %s by name, in proposals and in inventories", (key) => {
    const proposal = `{"id": "bc-glance-x", "attributes": {"glance": {"${key}": {"database": "mysql"}}}}`;
    const issue = only(validate(proposal).issues, "forbidden-key");
    expect(issue.path).toBe(`attributes.glance.${key}`);
    const inventory = validateInventoryText(`{"mysql": {"${key}": {"host": "127.0.0.1", "admin_password": "x"}}}`, "i.json");
    expect(inventory.inventory).toBeUndefined();
    expect(only(inventory.issues, "forbidden-key").message).toBe(`the key "${key}" is not allowed`);
  });
});

describe("secret references", () => {
  it.each(["/dev/zero", "/proc/self/environ", "/sys/kernel/notes"])("refuse a secret file in a kernel tree (%s)", (file) => {
    const issue = only(validate(proposalWith({ ...SWIFT_STORE, swift_store_key: { file } })).issues, "invalid-value");
    expect(issue.path).toBe("attributes.glance.swift_store_key.file");
  });
});

/** Every path, URL and secret field, with what a hostile value there would be. */
const PATH_FIELDS: Array<(value: string) => Json> = [
  ...["api", "scrubber", "reaper", "pruner", "prefetcher"].flatMap((s) => [(v: string) => service(s, { log_file: v }), (v: string) => service(s, { config_file: v })]),
  (v) => ({ image_cache_datadir: v, enable_caching: true }),
  (v) => ({ filesystem_store_datadir: v }),
  (v) => ({ pid_directory: v }),
  (v) => ({ working_directory: v }),
  (v) => ({ sqlite_connection: `sqlite:///${v}` }),
  (v) => ({ ...SWIFT_STORE, swift_store_key: { file: v } }),
];

const SYSTEM_PATHS = ["/", "/etc", "/etc/cron.d", "/etc/systemd/system", "/var", "/var/lib", "/var/log", "/run", "/var/run", "/usr", "/home", "/proc", "/sys", "/dev", "/var/lib/glance-barclamp"];
const hostilePath = fc.oneof(
  fc.constantFrom(...SYSTEM_PATHS),
  fc.tuple(fc.constantFrom(...SYSTEM_PATHS), fc.constantFrom("glance", "x", "glance-api.conf", "..", ".", "", "glance/../..", "cron.d", "sudoers.d/glance")).map(([a, b]) => `${a}/${b}`),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
  fc.array(fc.constantFrom("etc", "var", "lib", "log", "glance", "cron.d", "systemd", "system", "proc", "usr", "run", "images"), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
);

describe("hostile values in every path field", () => {
  it("are refused, or make a plan that gives no system directory away and writes nowhere the policy forbids", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PATH_FIELDS.length - 1 }), hostilePath, (field, value) => {
        const result = validate(proposalWith({ release: "zed", ...(PATH_FIELDS[field] as (v: string) => Json)(value) }));
        if (result.proposal === undefined || result.resolution === undefined || !result.valid) return;
        const plan = buildPlan({ proposal: result.proposal, inventory: undefined, node: "n1", resolution: result.resolution });
        for (const resource of plan.resources) {
          if (resource.kind === "directory" && resource.manageOwnership) expect(writeRefusal(resource.path, "owned-directory"), resource.path).toBeUndefined();
          if (resource.kind === "file" && resource.role === "config") expect(writeRefusal(resource.path, "file"), resource.path).toBeUndefined();
        }
      }),
      { numRuns: 400 },
    );
  });

  it("hostile URLs in the Swift auth address are refused unless http(s) or the 2011 form without credentials", () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ maxLength: 60 }), fc.constantFrom("javascript:x", "file:///x", "ftp://h/x", "http://u:p@h/x", "//h/x")), (address) => {
        const result = validate(proposalWith({ default_store: "swift", swift_store_auth_address: address }));
        const accepted = !result.issues.some((i) => i.path === "attributes.glance.swift_store_auth_address");
        if (!accepted) return;
        const url = new URL(address.includes("://") ? address : `http://${address}`);
        expect(["http:", "https:"]).toContain(url.protocol);
        expect(url.username + url.password).toBe("");
        expect(url.hostname).not.toBe("");
      }),
      { numRuns: 400 },
    );
  });
});
