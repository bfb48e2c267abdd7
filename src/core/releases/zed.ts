/**
 * Glance 25 ("zed"), as Debian 12 installs it: no registry; the API reads the database directly; the
 * multi-store form (enabled_backends) instead of the deprecated stores/default_store; the periodic
 * tools are glance-scrubber and the glance-cache-* commands.
 */
import { G } from "../proposal/rules/types.js";
import { SERVICES } from "../glance.js";
import { keystoneUrls } from "../proposal/keystone-urls.js";
import type { Finding } from "../proposal/resolve.js";
import { SECRET } from "../render/secret-slots.js";
import catalogue from "./catalogues/zed.json" with { type: "json" };
import { commonServiceValues, dirname, formatterFor, secretOptionsOf } from "./common.js";
import type { Catalogue, ConfigFileSpec, PeriodicJob, ReleaseInput, ReleaseModule } from "./types.js";
import type { Rule } from "../proposal/rules/types.js";

const PERIODIC_JOBS: readonly PeriodicJob[] = [
  { job: "scrubber", binary: "/usr/bin/glance-scrubber", placement: "one-node" },
  { job: "reaper", binary: "/usr/bin/glance-cache-cleaner", placement: "caching-nodes" },
  { job: "pruner", binary: "/usr/bin/glance-cache-pruner", placement: "caching-nodes" },
  { job: "prefetcher", binary: "/usr/bin/glance-cache-prefetcher", placement: "caching-nodes" },
];

const format = formatterFor("oslo");
const swiftFormat = formatterFor("swift");

const SWIFT_REFERENCE = "ref1";

const swiftReferencePath = (input: ReleaseInput): string => `${dirname(input.glance.api.config_file)}/glance-swift.conf`;

/** Keystone v1 auth (tempauth, swauth) as in 2011's "/v1.0" default; v2.0 when named; v3 otherwise. */
const swiftAuthVersion = (address: string): string => {
  if (/\/v1(?:\.0)?(?:\/|$)/u.test(address)) return "1";
  if (/\/v2(?:\.0)?(?:\/|$)/u.test(address)) return "2";
  return "3";
};

const storeValues = (input: ReleaseInput) => {
  const g = input.glance;
  const backend = g.default_store;
  return {
    enabled_backends: `${backend}:${backend}`,
    default_backend: backend,
    file: backend === "file" ? { datadir: format.value(g.filesystem_store_datadir) } : null,
    swift:
      backend === "swift"
        ? {
            container: format.value(g.swift_store_container),
            create_container: format.bool(g.swift_store_create_container_on_put),
            reference: SWIFT_REFERENCE,
            config_file: format.value(swiftReferencePath(input)),
          }
        : null,
  };
};

/** keystonemiddleware's options as Glance 25 reads them without a warning (shared/reference/keystone.md). */
const keystoneValues = (input: ReleaseInput) => {
  const instance = input.keystone?.instance;
  if (instance === undefined) return null;
  const urls = keystoneUrls(instance);
  return {
    public_uri: format.value(urls.public),
    auth_url: format.value(urls.internal),
    cafile: instance.ca_file === undefined ? null : format.value(instance.ca_file),
    insecure: instance.insecure,
    memcached_servers: instance.memcached_servers === undefined ? null : format.value(instance.memcached_servers.join(",")),
    memcache_security_strategy: instance.memcache_security_strategy ?? null,
    memcache_secret_key: instance.memcache_security_strategy === undefined ? null : format.secret(SECRET.keystoneMemcacheKey),
    username: format.value(instance.service_user),
    password: format.secret(SECRET.keystonePassword),
    project_name: format.value(instance.service_tenant),
    user_domain: format.value(instance.user_domain),
    project_domain: format.value(instance.project_domain),
    region: format.value(instance.region),
  };
};

const configFiles = (input: ReleaseInput): ConfigFileSpec[] => {
  const g = input.glance;
  const header = input.header;
  const store = storeValues(input);
  const database = {
    connection: format.connection(input.database, "mysql+pymysql"),
    recycle_time: g.sql_idle_timeout,
  };
  const cache = {
    datadir: format.value(g.image_cache_datadir),
    stall_timeout: g.image_cache_stall_timeout,
    max_size_bytes: g.image_cache_max_size_bytes,
  };
  const keystone = keystoneValues(input);
  const flavor = [...(keystone ? ["keystone"] : []), ...(g.enable_caching ? ["caching"] : [])].join("+");
  const common = (service: "api" | "scrubber" | "reaper" | "pruner" | "prefetcher") => ({
    header,
    ...commonServiceValues(format, g[service], g.use_syslog),
  });
  const files: ConfigFileSpec[] = [
    {
      service: "api",
      path: g.api.config_file,
      template: "zed/glance-api.conf",
      description: "glance-api configuration",
      context: {
        ...common("api"),
        bind_host: format.value(input.bind.api),
        bind_port: g.api.bind_port,
        delayed_delete: format.bool(g.delayed_delete),
        scrub_time: g.scrub_time,
        database,
        store,
        cache,
        keystone,
        staging_dir: format.value(`${g.working_directory}/staging`),
        tasks_dir: format.value(`${g.working_directory}/tasks`),
        paste_flavor: flavor,
        // Glance finds its paste file by the config file's name; at a proposal path it would not.
        paste_config_file: "/etc/glance/glance-api-paste.ini",
        notification_driver: g.notifier_strategy === "noop" ? "noop" : "log",
      },
    },
    {
      service: "scrubber",
      path: g.scrubber.config_file,
      template: "zed/glance-scrubber.conf",
      description: "glance-scrubber configuration",
      context: { ...common("scrubber"), scrub_time: g.scrub_time, delayed_delete: format.bool(g.delayed_delete), database, store },
    },
    ...PERIODIC_JOBS.filter((j) => j.placement === "caching-nodes").map(
      ({ job, binary }): ConfigFileSpec => ({
        service: job,
        path: g[job].config_file,
        template: "zed/glance-cache.conf",
        description: `${binary.split("/").pop() ?? job} configuration`,
        context: { ...common(job), cache, database, store },
      }),
    ),
  ];
  if (g.default_store === "swift")
    files.push({
      service: "swift-reference",
      readBy: ["api"],
      path: swiftReferencePath(input),
      template: "zed/glance-swift.conf",
      description: "Swift account reference of the image store",
      dialect: "swift",
      context: {
        header,
        reference: SWIFT_REFERENCE,
        auth_address: swiftFormat.value(g.swift_store_auth_address),
        auth_version: swiftAuthVersion(g.swift_store_auth_address),
        user: swiftFormat.value(g.swift_store_user),
        key: swiftFormat.secret(SECRET.swiftKey),
      },
    });
  return files;
};

/** Values zed has no option for: reported, never dropped silently. */
const noEquivalent: Rule = {
  reads: [[...G, "image_cache_grace_period"], ...SERVICES.map((s) => [...G, s, "verbose"])],
  check: ({ proposal, spelledOut }) => {
    const g = proposal.attributes.glance;
    const findings: Finding[] = [];
    if (spelledOut([...G, "image_cache_grace_period"]))
      findings.push({
        path: [...G, "image_cache_grace_period"],
        severity: "warning",
        code: "no-equivalent",
        message: "zed has no grace period for invalid cache entries: glance-cache-cleaner removes them at once",
        hint: "remove the field, or use release diablo",
      });
    for (const service of SERVICES)
      if (g[service].verbose === false && spelledOut([...G, service, "verbose"]))
        findings.push({
          path: [...G, service, "verbose"],
          severity: "warning",
          code: "no-equivalent",
          message: `zed always logs at INFO level (verbose was removed): verbose false has no effect on the ${service}`,
          hint: "remove the field; debug true still turns on DEBUG",
        });
    return findings;
  },
};

/** What the zed templates write, and from which proposal field (extra_config may not set these). */
const STORE_OPTIONS = {
  glance_store: { default_backend: "default_store" },
  file: { filesystem_store_datadir: "filesystem_store_datadir" },
  swift: {
    swift_store_container: "swift_store_container",
    swift_store_create_container_on_put: "swift_store_create_container_on_put",
    default_swift_reference: "default_store",
    swift_store_config_file: "default_store",
  },
  database: { connection: "database (with mysql_* or sqlite_connection)", connection_recycle_time: "sql_idle_timeout" },
};
const LOGGING = { debug: "{service}.debug", log_file: "{service}.log_file", use_syslog: "use_syslog", enabled_backends: "default_store" };
const SET_BY: ReleaseModule["setBy"] = {
  "glance-api.conf": {
    DEFAULT: {
      ...LOGGING,
      bind_host: "api.bind_open_address",
      bind_port: "api.bind_port",
      delayed_delete: "delayed_delete",
      scrub_time: "scrub_time",
      image_cache_dir: "image_cache_datadir",
      image_cache_stall_time: "image_cache_stall_timeout",
      image_cache_max_size: "image_cache_max_size_bytes",
    },
    ...STORE_OPTIONS,
    os_glance_staging_store: { filesystem_store_datadir: "working_directory" },
    os_glance_tasks_store: { filesystem_store_datadir: "working_directory" },
    paste_deploy: { flavor: "use_keystone and enable_caching", config_file: "glance-barclamp (Debian's paste file)" },
    oslo_messaging_notifications: { driver: "notifier_strategy" },
    keystone_authtoken: { "*": "the inventory's Keystone instance" },
  },
  "glance-scrubber.conf": { DEFAULT: { ...LOGGING, daemon: "periodic_jobs (one pass per run)", scrub_time: "scrub_time", delayed_delete: "delayed_delete" }, ...STORE_OPTIONS },
  "glance-cache.conf": {
    DEFAULT: { ...LOGGING, image_cache_dir: "image_cache_datadir", image_cache_stall_time: "image_cache_stall_timeout", image_cache_max_size: "image_cache_max_size_bytes" },
    ...STORE_OPTIONS,
  },
};

export const zed = {
  name: "zed",
  summary: "Glance 25, Debian 12",
  glanceVersion: "25.1.0",
  dialect: "oslo",
  longLived: [{ service: "api", binary: "/usr/bin/glance-api", description: "OpenStack Image Service (Glance) API" }],
  periodicJobs: PERIODIC_JOBS,
  manageBinary: "/usr/bin/glance-manage",
  cacheSubdirectories: ["incomplete", "invalid", "queue"],
  dbSyncService: "api",
  extraDirectories: (input) => [`${input.glance.working_directory}/staging`, `${input.glance.working_directory}/tasks`],
  configFiles,
  // /versions answers even when the database is unusable: the image list is the real test.
  probes: [{ service: "api", paths: ["/versions", "/v2/images?limit=1"], guarded: ["/v2/images?limit=1"] }],
  maxHeaderLine: 16384,
  imageApiVersion: "2",
  registersInKeystone: true,
  keystoneCredential: "service_password",
  rules: [noEquivalent],
  // Fields zed has no option for: spelled out, validate would warn about them.
  newProposalOmits: ["registry", "image_cache_grace_period"],
  // Generated by scripts/generate-*-catalogue from the real Glance; its shape is ours.
  catalogue: () => catalogue as unknown as Catalogue,
  // The catalogue's secret options, and the key of glance-swift.conf (a reference file no catalogue describes).
  secretOptions: () => [...secretOptionsOf(catalogue as unknown as Catalogue), "key"],
  catalogueFiles: { api: "glance-api.conf", scrubber: "glance-scrubber.conf", reaper: "glance-cache.conf", pruner: "glance-cache.conf", prefetcher: "glance-cache.conf" },
  setBy: SET_BY,
} as const satisfies ReleaseModule;
