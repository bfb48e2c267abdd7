/**
 * One proposal per rule that breaks it; each asserts the error's code, JSON path, line and message.
 */
import { describe, expect, it } from "vitest";
import { validateInventoryText } from "../../src/core/proposal/validate.js";
import { inventory, lineOf, only, proposalWith, validate, SWIFT_STORE } from "../helpers/proposals.js";

const mysqlInventory = inventory({
  nodes: { n1: { admin_address: "10.0.0.1" }, n2: { admin_address: "10.0.0.2" } },
  mysql: { db1: { host: "10.0.0.9", admin_password: "pw" } },
  keystone: { ks1: { host: "10.0.0.8", admin_token: "tok", service_password: "pw" } },
});

describe("JSON syntax and structure", () => {
  it("reports the position of a syntax error", () => {
    const result = validate('{\n  "id": "bc-glance-x",\n  "attributes": { "glance": {}, }\n}');
    const issue = only(result.issues, "json-syntax");
    expect([issue.line, issue.column]).toEqual([3, 33]);
    expect(issue.message).toMatch(/property name/u);
    expect(result.valid).toBe(false);
  });

  it("reports an empty file", () => {
    expect(only(validate("").issues, "json-syntax").message).toMatch(/empty/u);
  });

  it("reports duplicate keys, which JSON.parse would silently collapse", () => {
    const text = '{\n "id": "bc-glance-x",\n "attributes": { "glance": {\n  "release": "zed",\n  "release": "diablo" } }\n}';
    const issue = only(validate(text).issues, "duplicate-key");
    expect(issue.path).toBe("attributes.glance.release");
    expect(issue.line).toBe(5);
  });

  it("suggests the nearest known key for a typo, pointing at the key", () => {
    const result = validate(proposalWith({ api: { bind_prot: 9292 } }));
    const issue = only(result.issues, "unknown-key");
    expect(issue.path).toBe("attributes.glance.api.bind_prot");
    expect(issue.line).toBe(lineOf(result.text, "bind_prot"));
    expect(issue.column).toBe((result.text.split("\n")[issue.line - 1]?.indexOf('"bind_prot"') ?? -1) + 1);
    expect(issue.hint).toBe('did you mean "bind_port"?');
  });

  it("suggests the nearest allowed value", () => {
    const issue = only(validate(proposalWith({ default_store: "swfit" })).issues, "not-allowed");
    expect(issue.message).toBe('must be one of "file", "swift"');
    expect(issue.hint).toBe('did you mean "swift"?');
  });

  it("reports a missing required field at its parent, and a wrong type with the field's documentation", () => {
    const missing = only(validate({ attributes: { glance: {} } }).issues, "missing");
    expect(missing.path).toBe("id");
    const wrong = only(validate(proposalWith({ api: { bind_port: "9292" } })).issues, "wrong-type");
    expect(wrong.message).toBe("must be a number");
    expect(wrong.hint).toContain("Default: 9292");
  });

  it("rejects ports out of range and negative timeouts", () => {
    const result = validate(proposalWith({ api: { bind_port: 70000 }, image_cache_grace_period: -1 }));
    expect(result.issues.map((i) => i.path).sort()).toEqual(["attributes.glance.api.bind_port", "attributes.glance.image_cache_grace_period"]);
  });
});

describe("cross-field rules", () => {
  it("API and registry ports differ", () => {
    const result = validate(proposalWith({ registry: { bind_port: 9292 } }));
    const issue = only(result.issues, "ports-differ");
    expect(issue.path).toBe("attributes.glance.registry.bind_port");
    expect(issue.line).toBe(lineOf(result.text, '"bind_port": 9292'));
    expect(issue.message).toBe("the API and the registry both use port 9292");
  });

  it("the six log files are pairwise distinct", () => {
    const result = validate(proposalWith({ pruner: { log_file: "/var/log/glance/reaper.log" } }));
    const issue = only(result.issues, "log-files-distinct");
    expect(issue.path).toBe("attributes.glance.pruner.log_file");
    expect(issue.line).toBe(lineOf(result.text, "reaper.log"));
    expect(issue.message).toBe("the pruner and the reaper share the log file /var/log/glance/reaper.log");
  });

  it("the six config files are pairwise distinct", () => {
    const result = validate(proposalWith({ scrubber: { config_file: "/etc/glance/glance-api.conf" } }));
    const issue = only(result.issues, "config-files-distinct");
    expect(issue.path).toBe("attributes.glance.scrubber.config_file");
    expect(issue.message).toBe("the scrubber and the api share the config file /etc/glance/glance-api.conf");
  });

  it.each([
    ["relative", "var/lib/glance"],
    ["dot-dot", "/var/lib/../glance"],
    ["double slash", "/var//lib"],
    ["trailing slash", "/var/lib/glance/"],
    ["root", "/"],
    ["space", "/var/lib/my glance"],
  ])("every path is absolute and normalised (%s)", (_name, value) => {
    const result = validate(proposalWith({ working_directory: value }));
    const issue = only(result.issues, "invalid-value");
    expect(issue.path).toBe("attributes.glance.working_directory");
    expect(issue.line).toBe(lineOf(result.text, "working_directory"));
  });

  it.each([
    ["newline", "glance\n[DEFAULT]"],
    ["NUL", "gla\u0000nce"],
    ["carriage return", "glance\r"],
    ["line separator", "glance\u2028x"],
    ["leading space", " glance"],
    ["inline comment", "glance ;comment"],
  ])("no string reaching a file holds a control character (%s)", (_name, value) => {
    const result = validate(proposalWith({ swift_store_user: value }));
    expect(result.valid).toBe(false);
    expect(result.issues[0]?.path).toBe("attributes.glance.swift_store_user");
  });

  it("Swift fields are required and non-empty when the backing type is swift", () => {
    const result = validate(proposalWith({ default_store: "swift", swift_store_user: "", swift_store_container: "" }));
    expect(result.issues.filter((i) => i.code === "swift-incomplete").map((i) => i.path)).toEqual([
      "attributes.glance.swift_store_user",
      "attributes.glance.swift_store_container",
    ]);
    expect(validate(proposalWith({ swift_store_user: "" })).valid).toBe(true);
  });

  it("a named MySQL instance exists in the inventory", () => {
    const result = validate(proposalWith({ database: "mysql", mysql_instance: "db2" }), mysqlInventory);
    const issue = only(result.issues, "unknown-instance");
    expect(issue.path).toBe("attributes.glance.mysql_instance");
    expect(issue.line).toBe(lineOf(result.text, '"mysql_instance"'));
    expect(issue.message).toBe('MySQL instance "db2" is not in the inventory');
    expect(issue.hint).toBe("the inventory has: db1");
  });

  it("a named Keystone instance exists in the inventory", () => {
    const result = validate(proposalWith({ use_keystone: true, keystone_instance: "ks9" }), mysqlInventory);
    expect(only(result.issues, "unknown-instance").path).toBe("attributes.glance.keystone_instance");
  });

  it("without a named instance, the only one is used and several are ambiguous", () => {
    const one = validate(proposalWith({ database: "auto" }), mysqlInventory);
    expect(one.resolution?.database).toMatchObject({ kind: "mysql", instanceName: "db1" });
    const two = inventory({ mysql: { a: { host: "h", admin_password: "x" }, b: { host: "h", admin_password: "x" } } });
    const issue = only(validate(proposalWith({ database: "auto" }), two).issues, "ambiguous-instance");
    expect(issue.hint).toBe("set mysql_instance to one of: a, b");
    expect(validate(proposalWith({ database: "auto" })).resolution?.database.kind).toBe("sqlite");
  });

  it("a Keystone instance has the credentials its release needs", () => {
    const noToken = inventory({ keystone: { ks1: { host: "k", service_password: "pw" } } });
    const result = validate(proposalWith({ use_keystone: true }), noToken);
    expect(only(result.issues, "keystone-credentials").message).toMatch(/admin_token/u);
    expect(validate(proposalWith({ use_keystone: true, release: "zed" }), noToken).valid).toBe(true);
  });

  it("the SQLite connection is an absolute sqlite://// URL", () => {
    const result = validate(proposalWith({ sqlite_connection: "sqlite:var/lib/glance/glance.sqlite" }));
    const issue = only(result.issues, "invalid-value");
    expect(issue.path).toBe("attributes.glance.sqlite_connection");
    expect(issue.message).toMatch(/absolute SQLite URL/u);
    expect(issue.line).toBe(lineOf(result.text, "sqlite_connection"));
  });

  it("the image cache is neither the image store nor inside it", () => {
    for (const cache of ["/var/lib/glance/images", "/var/lib/glance/images/cache"]) {
      const result = validate(proposalWith({ image_cache_datadir: cache }));
      const issue = only(result.issues, "cache-inside-store");
      expect(issue.path).toBe("attributes.glance.image_cache_datadir");
      expect(issue.line).toBe(lineOf(result.text, "image_cache_datadir"));
    }
    const inverse = validate(proposalWith({ filesystem_store_datadir: "/var/lib/glance/image-cache/store" }));
    expect(only(inverse.issues, "store-inside-cache").path).toBe("attributes.glance.filesystem_store_datadir");
    expect(validate(proposalWith({ image_cache_datadir: "/var/lib/glance/images-cache" })).valid).toBe(true);
  });

  it("more than one glance-server node requires MySQL and a shared store", () => {
    const result = validate(proposalWith({}, { "glance-server": ["n1", "n2"] }), mysqlInventory);
    expect(result.issues.map((i) => i.code).sort()).toEqual(["multi-node-database", "multi-node-store"]);
    expect(only(result.issues, "multi-node-store").path).toBe("attributes.glance.default_store");
    const generated = validate(proposalWith({ database: "mysql", ...SWIFT_STORE }, { "glance-server": ["n1", "n2"] }), mysqlInventory);
    expect(only(generated.issues, "multi-node-password").hint).toContain("set mysql_password");
    const shared = validate(
      proposalWith({ database: "mysql", ...SWIFT_STORE, mysql_password: { env: "DB_PW" } }, { "glance-server": ["n1", "n2"] }),
      mysqlInventory,
    );
    expect(shared.issues).toEqual([]);
  });

  it("nodes in elements are unique and known to the inventory", () => {
    const result = validate(proposalWith({}, { "glance-server": ["n1", "n1", "nn2x"] }), mysqlInventory);
    const duplicate = only(result.issues, "duplicate-node");
    expect(duplicate.path).toBe('deployment.glance.elements["glance-server"][1]');
    const unknown = only(result.issues, "unknown-node");
    expect(unknown.path).toBe('deployment.glance.elements["glance-server"][2]');
    expect(unknown.line).toBe(lineOf(result.text, '"nn2x"'));
    expect(unknown.hint).toBe('did you mean "n2"?');
    // Without an inventory there is nothing to check the names against.
    expect(validate(proposalWith({}, { "glance-server": ["zz"] })).valid).toBe(true);
  });

  it("roles are the barclamp's", () => {
    const issue = only(validate(proposalWith({}, { "glance-servre": ["n1"] })).issues, "unknown-role");
    expect(issue.path).toBe('deployment.glance.elements["glance-servre"]');
  });

  it("the scrubber node is a glance-server element", () => {
    const result = validate(proposalWith({ scrubber: { node: "n9" } }, { "glance-server": ["n1"] }));
    expect(only(result.issues, "scrubber-node").hint).toBe("choose one of: n1");
  });

  it("schedules are cron expressions, with seconds only for the foreground scheduler", () => {
    const bad = validate(proposalWith({ reaper: { schedule: "61 * * * *" } }));
    expect(only(bad.issues, "invalid-value").path).toBe("attributes.glance.reaper.schedule");
    const seconds = validate(proposalWith({ reaper: { schedule: "*/5 * * * * *" } }));
    expect(only(seconds.issues, "seconds-schedule").path).toBe("attributes.glance.reaper.schedule");
    expect(validate(proposalWith({ periodic_jobs: "none", reaper: { schedule: "*/5 * * * * *" } })).valid).toBe(true);
  });

  it("warns that registry settings have no effect on zed", () => {
    const result = validate(proposalWith({ release: "zed", registry: { debug: true } }));
    const issue = only(result.issues, "registry-ignored");
    expect(issue.severity).toBe("warning");
    expect(result.valid).toBe(true);
    expect(validate(proposalWith({ release: "zed" })).issues).toEqual([]);
  });
});

describe("values a release cannot use", () => {
  it("warns instead of dropping them silently", () => {
    const result = validate(proposalWith({ release: "zed", image_cache_grace_period: 60, scrubber: { verbose: false }, images: ["http://x/img.qcow2"] }));
    expect(result.valid).toBe(true);
    expect(result.issues.map((i) => [i.severity, i.code, i.path]).sort()).toEqual([
      ["warning", "no-equivalent", "attributes.glance.image_cache_grace_period"],
      ["warning", "no-equivalent", "attributes.glance.scrubber.verbose"],
    ]);
    expect(validate(proposalWith({ image_cache_grace_period: 60, scrubber: { verbose: false } })).issues).toEqual([]);
  });
});

describe("every problem at once", () => {
  it("reports schema errors and cross-field errors of one file together, in file order", () => {
    const result = validate(
      proposalWith({
        api: { bind_prot: 1, bind_port: 9191 },
        default_store: "nfs",
        image_cache_datadir: "/var/lib/glance/images/c",
        pruner: { log_file: "/var/log/glance/api.log" },
      }),
    );
    expect(result.issues.map((i) => i.code)).toEqual([
      "unknown-key",
      "ports-differ",
      "not-allowed",
      "cache-inside-store",
      "log-files-distinct",
    ]);
    const lines = result.issues.map((i) => i.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it("does not run a rule on a field the schema rejected", () => {
    // The rejected log file must not be compared with its default: no spurious duplicate.
    const result = validate(proposalWith({ registry: { log_file: "relative.log" }, api: { log_file: "/var/log/glance/registry.log" } }));
    expect(result.issues.map((i) => i.code)).toEqual(["invalid-value"]);
  });
});

describe("inventory validation", () => {
  it("reports bad addresses and unknown keys with positions", () => {
    const text = JSON.stringify({ nodes: { n1: { admin_address: "10.0.0.300", adress: "x" } } }, null, 2);
    const result = validateInventoryText(text, "inv.json");
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid-value", "nodes.n1.admin_address"],
      ["unknown-key", "nodes.n1.adress"],
    ]);
  });

  it("accepts secrets inline or by reference", () => {
    for (const secret of ["pw", { env: "DB_PW" }, { file: "/etc/secret/db" }]) {
      const result = validateInventoryText(JSON.stringify({ mysql: { db: { host: "h", admin_password: secret } } }), "i.json");
      expect(result.issues).toEqual([]);
    }
    const bad = validateInventoryText(JSON.stringify({ mysql: { db: { host: "h", admin_password: { env: "1X" } } } }), "i.json");
    expect(bad.issues[0]?.path).toBe("mysql.db.admin_password.env");
  });
});
