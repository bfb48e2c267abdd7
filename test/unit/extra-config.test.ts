/**
 * extra_config: every rule with its path, position and message on both releases, the rendering
 * (into its section, escaped for the file's reader, secrets as slots), and the JSON Schema's
 * per-release names.
 */
import { describe, expect, it } from "vitest";
import { fileAt, masked, planOf } from "../helpers/plan.js";
import { lineOf, proposalWith, validate } from "../helpers/proposals.js";

const withExtra = (release: "diablo" | "zed", service: string, extra: Record<string, Record<string, unknown>>, glance: Record<string, unknown> = {}) =>
  proposalWith({ release, ...(release === "zed" ? {} : {}), ...glance, [service]: { extra_config: extra } });

const issueAt = (release: "diablo" | "zed", service: string, extra: Record<string, Record<string, unknown>>, path: string) => {
  const result = validate(withExtra(release, service, extra));
  const issue = result.issues.find((i) => i.path === path);
  if (issue === undefined) throw new Error(`no issue at ${path}: ${JSON.stringify(result.issues)}`);
  return { ...issue, text: result.text, valid: result.valid };
};

describe("extra_config rules", () => {
  it.each([
    ["zed", "api", { DEFAULT: { wokers: 2 } }, "attributes.glance.api.extra_config.DEFAULT.wokers", "extra-unknown-option", "zed's glance-api.conf reads no option wokers in [DEFAULT]", "did you mean workers?"],
    ["zed", "api", { oslo_polcy: { policy_file: "/etc/glance/policy.yaml" } }, "attributes.glance.api.extra_config.oslo_polcy", "extra-unknown-section", "zed's glance-api.conf has no section [oslo_polcy]", "did you mean [oslo_policy]?"],
    ["zed", "api", { DEFAULT: { connection: "sqlite://" } }, "attributes.glance.api.extra_config.DEFAULT.connection", "extra-unknown-option", "reads no option connection in [DEFAULT]", "it is read in [database]"],
    ["zed", "api", { DEFAULT: { workers: -1 } }, "attributes.glance.api.extra_config.DEFAULT.workers", "extra-bad-value", "[DEFAULT] workers must be at least 0", "types it as int"],
    ["zed", "api", { DEFAULT: { workers: 1.5 } }, "attributes.glance.api.extra_config.DEFAULT.workers", "extra-bad-value", "[DEFAULT] workers must be a whole number", undefined],
    ["zed", "api", { DEFAULT: { show_image_direct_url: "yes" } }, "attributes.glance.api.extra_config.DEFAULT.show_image_direct_url", "extra-bad-value", "must be true or false", "types it as bool"],
    ["zed", "api", { DEFAULT: { image_member_quota: "many" } }, "attributes.glance.api.extra_config.DEFAULT.image_member_quota", "extra-bad-value", "must be a whole number", undefined],
    ["zed", "api", { oslo_policy: { enforce_scope: "maybe" } }, "attributes.glance.api.extra_config.oslo_policy.enforce_scope", "extra-bad-value", "must be true or false", undefined],
    ["zed", "api", { DEFAULT: { bind_port: 80 } }, "attributes.glance.api.extra_config.DEFAULT.bind_port", "extra-set-by-proposal", "[DEFAULT] bind_port is written by glance-barclamp from api.bind_port", "set attributes.glance.api.bind_port instead"],
    ["zed", "pruner", { DEFAULT: { debug: true } }, "attributes.glance.pruner.extra_config.DEFAULT.debug", "extra-set-by-proposal", "from pruner.debug", "set attributes.glance.pruner.debug instead"],
    ["zed", "api", { DEFAULT: { logfile: "/var/log/x.log" } }, "attributes.glance.api.extra_config.DEFAULT.logfile", "extra-set-by-proposal", "from api.log_file", undefined],
    ["zed", "api", { keystone_authtoken: { memcached_servers: "m:11211" } }, "attributes.glance.api.extra_config.keystone_authtoken.memcached_servers", "extra-set-by-proposal", "from the inventory's Keystone instance", "set it there"],
    ["zed", "api", { DEFAULT: { policy_file: "policy.yaml" } }, "attributes.glance.api.extra_config.DEFAULT.policy_file", "extra-deprecated", "[DEFAULT] policy_file is deprecated in zed", "use [oslo_policy] policy_file"],
    ["zed", "scrubber", { DEFAULT: { metadata_encryption_key: "inline-value" } }, "attributes.glance.scrubber.extra_config.DEFAULT.metadata_encryption_key", "extra-secret-inline", "is a secret: it is given only by reference", '{"env": "NAME"}'],
    ["diablo", "api", { DEFAULT: { workers: 2 } }, "attributes.glance.api.extra_config.DEFAULT.workers", "extra-unknown-option", "diablo's glance-api.conf reads no option workers in [DEFAULT]", undefined],
    ["diablo", "api", { DEFAULT: { image_cache_enabled: true } }, "attributes.glance.api.extra_config.DEFAULT.image_cache_enabled", "extra-set-by-proposal", "from enable_caching", "set attributes.glance.enable_caching instead"],
    ["diablo", "registry", { DEFAULT: { api_limit_max: "lots" } }, "attributes.glance.registry.extra_config.DEFAULT.api_limit_max", "extra-bad-value", "must be a whole number", undefined],
    ["diablo", "pruner", { DEFAULT: { image_cache_percent_extra_to_free: "much" } }, "attributes.glance.pruner.extra_config.DEFAULT.image_cache_percent_extra_to_free", "extra-bad-value", "must be a number", "types it as float"],
    ["diablo", "api", { "pipeline:glance-api": { pipeline: "apiv1app" } }, 'attributes.glance.api.extra_config["pipeline:glance-api"].pipeline', "extra-set-by-proposal", "glance-barclamp's paste pipeline", undefined],
    ["diablo", "api", { "app:apiv1app": { "paste.app_factory": "x:y" } }, 'attributes.glance.api.extra_config["app:apiv1app"]["paste.app_factory"]', "extra-set-by-proposal", "glance-barclamp's paste pipeline", undefined],
    ["diablo", "api", { oslo_policy: { policy_file: "p" } }, "attributes.glance.api.extra_config.oslo_policy", "extra-unknown-section", "diablo's glance-api.conf has no section [oslo_policy]", undefined],
  ] as const)("%s %s %j: %s", (release, service, extra, path, code, message, hint) => {
    const issue = issueAt(release, service, extra, path);
    expect(issue.code).toBe(code);
    expect(issue.message).toContain(message);
    if (hint !== undefined) expect(issue.hint).toContain(hint);
    expect(issue.valid).toBe(issue.severity === "warning");
    const key = /\["([^"]+)"\]$/u.exec(path)?.[1] ?? (path.split(".").pop());
    expect(issue.line).toBe(lineOf(issue.text, `"${key}"`, "extra_config"));
  });

  it("accepts what the catalogue knows, of the right type, on both releases", () => {
    expect(validate(withExtra("zed", "api", { DEFAULT: { workers: 2, max_header_line: 32768, show_image_direct_url: true }, oslo_policy: { policy_file: "/etc/glance/policy.yaml" }, file: { filesystem_store_chunk_size: 65536 } })).issues).toEqual([]);
    expect(validate(withExtra("zed", "scrubber", { DEFAULT: { metadata_encryption_key: { env: "META_KEY" } } })).issues).toEqual([]);
    expect(validate(withExtra("diablo", "registry", { DEFAULT: { api_limit_max: 500 } })).issues).toEqual([]);
    expect(validate(withExtra("diablo", "pruner", { DEFAULT: { image_cache_percent_extra_to_free: 0.3 } })).issues).toEqual([]);
  });
});

describe("extra_config rendering", () => {
  it("goes into its section, or a new one at the end, escaped for oslo.config", () => {
    const plan = planOf(withExtra("zed", "api", { DEFAULT: { workers: 2, show_image_direct_url: true }, oslo_policy: { policy_file: "/etc/glance/$policy.yaml" }, database: { max_retries: 3 } }));
    const text = masked(fileAt(plan, "/etc/glance/glance-api.conf"));
    expect(text).toContain("image_cache_max_size = 1073741824\nworkers = 2\nshow_image_direct_url = True\n\n[database]\n");
    expect(text).toContain("connection_recycle_time = 3600\nmax_retries = 3\n\n[glance_store]");
    expect(text.endsWith("\n[oslo_policy]\npolicy_file = /etc/glance/$$policy.yaml\n")).toBe(true);
  });

  it("escapes % for paste.deploy on diablo", () => {
    const plan = planOf(withExtra("diablo", "registry", { DEFAULT: { api_limit_max: 500, log_date_format: "%Y-%m-%d" } }));
    expect(masked(fileAt(plan, "/etc/glance/glance-registry.conf"))).toContain("limit_param_default = 25\napi_limit_max = 500\nlog_date_format = %%Y-%%m-%%d\n");
  });

  it("holds a secret as a slot, masked, readable by root and glance only", () => {
    const plan = planOf(withExtra("zed", "scrubber", { DEFAULT: { metadata_encryption_key: { env: "META_KEY" } } }));
    const file = fileAt(plan, "/etc/glance/glance-scrubber.conf");
    expect(masked(file)).toContain("metadata_encryption_key = ********\n");
    expect(file.mode).toBe("0640");
    expect(plan.secrets).toContainEqual({
      name: "extra.scrubber.0",
      description: "scrubber option [DEFAULT] metadata_encryption_key",
      source: { document: "proposal", path: ["attributes", "glance", "scrubber", "extra_config", "DEFAULT", "metadata_encryption_key"], via: "env", name: "META_KEY" },
    });
  });
});
