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
import { INTERFACE_OF, swiftAuthVersionOf, type StoreAccess, type SwiftAccess } from "../swift-access.js";

const PERIODIC_JOBS: readonly PeriodicJob[] = [
  { job: "scrubber", binary: "/usr/bin/glance-scrubber", placement: "one-node" },
  { job: "reaper", binary: "/usr/bin/glance-cache-cleaner", placement: "caching-nodes" },
  { job: "pruner", binary: "/usr/bin/glance-cache-pruner", placement: "caching-nodes" },
  { job: "prefetcher", binary: "/usr/bin/glance-cache-prefetcher", placement: "caching-nodes" },
];

const format = formatterFor("oslo");
const swiftFormat = formatterFor("swift");

const SWIFT_REFERENCE = "ref1";

const CACHE_SUBDIRECTORIES = ["incomplete", "invalid", "queue"] as const;

const swiftReferencePath = (input: ReleaseInput): string => `${dirname(input.glance.api.config_file)}/glance-swift.conf`;

/**
 * How Glance 25 reaches Swift: the proposal's own credentials, or the Keystone instance's service
 * user (Crowbar from 2013 on: Keystone's v3 URL, service_tenant:service_user, its password).
 */
const swiftAccess = (input: ReleaseInput): SwiftAccess => {
  const g = input.glance;
  const base = { kind: "swift" as const, container: g.swift_store_container, createOnPut: g.swift_store_create_container_on_put, interface: INTERFACE_OF[g.swift_store_endpoint_type] };
  const instance = g.swift_store_use_keystone ? input.keystone?.instance : undefined;
  if (instance !== undefined)
    return {
      ...base,
      authAddress: `${keystoneUrls(instance).internal}/v3`,
      authVersion: "3",
      user: `${instance.service_tenant}:${instance.service_user}`,
      keySlot: SECRET.keystonePassword,
      userDomain: instance.user_domain,
      projectDomain: instance.project_domain,
      region: g.swift_store_region === "" ? instance.region : g.swift_store_region,
    };
  return {
    ...base,
    authAddress: g.swift_store_auth_address,
    authVersion: g.swift_store_auth_version === "auto" ? swiftAuthVersionOf(g.swift_store_auth_address) : g.swift_store_auth_version,
    user: g.swift_store_user,
    keySlot: SECRET.swiftKey,
    userDomain: g.swift_store_user_domain,
    projectDomain: g.swift_store_project_domain,
    region: g.swift_store_region,
  };
};

const storeAccess = (input: ReleaseInput): StoreAccess =>
  input.glance.default_store === "swift" ? swiftAccess(input) : { kind: "file", path: input.glance.filesystem_store_datadir };

const storeValues = (input: ReleaseInput) => {
  const g = input.glance;
  const backend = g.default_store;
  const access = backend === "swift" ? swiftAccess(input) : undefined;
  const instance = g.swift_store_use_keystone ? input.keystone?.instance : undefined;
  const cacert = g.swift_store_cacert ?? instance?.ca_file;
  return {
    enabled_backends: `${backend}:${backend}`,
    default_backend: backend,
    file: backend === "file" ? { datadir: format.value(g.filesystem_store_datadir) } : null,
    swift:
      access !== undefined
        ? {
            container: format.value(g.swift_store_container),
            create_container: format.bool(g.swift_store_create_container_on_put),
            reference: SWIFT_REFERENCE,
            config_file: format.value(swiftReferencePath(input)),
            large_object_size: g.swift_store_large_object_size,
            large_object_chunk_size: g.swift_store_large_object_chunk_size,
            // Keystone v3 only: where in the catalog the object store is, and how its TLS is checked.
            keystone:
              access.authVersion === "3"
                ? {
                    region: access.region === "" ? null : format.value(access.region),
                    endpoint_type: g.swift_store_endpoint_type,
                  }
                : null,
            cacert: cacert === undefined ? null : format.value(cacert),
            insecure: g.swift_store_auth_insecure || instance?.insecure === true ? "True" : null,
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
  if (g.default_store === "swift") {
    const access = swiftAccess(input);
    files.push({
      service: "swift-reference",
      readBy: ["api"],
      path: swiftReferencePath(input),
      template: "zed/glance-swift.conf",
      description: "Swift account reference of the image store",
      dialect: "swift",
      context: {
        header: input.header,
        reference: SWIFT_REFERENCE,
        auth_address: swiftFormat.value(access.authAddress),
        auth_version: access.authVersion,
        user: swiftFormat.value(access.user),
        key: swiftFormat.secret(access.keySlot),
        domains: access.authVersion === "3" ? { user: swiftFormat.value(access.userDomain), project: swiftFormat.value(access.projectDomain) } : null,
      },
    });
  }
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

/**
 * Swift as glance_store 4 reads it: an address without a scheme is taken as HTTPS (so the 2011
 * default fails against an HTTP proxy), and Keystone's v2 API, which it would speak for /v2.0,
 * was removed from Keystone in 2018.
 */
const swiftOnZed: Rule = {
  reads: ["default_store", "swift_store_auth_address", "swift_store_auth_version", "swift_store_use_keystone"].map((f) => [...G, f]),
  check: ({ proposal }) => {
    const g = proposal.attributes.glance;
    if (g.default_store !== "swift" || g.swift_store_use_keystone) return [];
    const findings: Finding[] = [];
    const address = g.swift_store_auth_address;
    if (address !== "" && !address.includes("://"))
      findings.push({
        path: [...G, "swift_store_auth_address"],
        severity: "error",
        code: "swift-address-scheme",
        message: `"${address}" has no scheme: Glance 25 would speak HTTPS to it`,
        hint: `name the scheme: "http://${address}" (or https:// when the proxy serves TLS)`,
      });
    const version = g.swift_store_auth_version === "auto" ? swiftAuthVersionOf(address) : g.swift_store_auth_version;
    if (version === "2")
      findings.push({
        path: [...G, g.swift_store_auth_version === "auto" ? "swift_store_auth_address" : "swift_store_auth_version"],
        severity: "error",
        code: "swift-auth-v2",
        message: "Keystone's v2 API was removed from Keystone in 2018: Glance 25 cannot authenticate to Swift with it",
        hint: 'use Keystone v3 (an address ending in /v3), or swift_store_use_keystone: true to take the inventory Keystone instance\'s service user',
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
    swift_store_large_object_size: "swift_store_large_object_size",
    swift_store_large_object_chunk_size: "swift_store_large_object_chunk_size",
    swift_store_region: "swift_store_region",
    swift_store_endpoint_type: "swift_store_endpoint_type",
    swift_store_cacert: "swift_store_cacert",
    swift_store_auth_insecure: "swift_store_auth_insecure",
    swift_store_auth_address: "swift_store_auth_address (glance-swift.conf)",
    swift_store_auth_version: "swift_store_auth_version (glance-swift.conf)",
    swift_store_user: "swift_store_user (glance-swift.conf)",
    swift_store_key: "swift_store_key (glance-swift.conf)",
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
  cacheSubdirectories: CACHE_SUBDIRECTORIES,
  dbSyncService: "api",
  // glance-api creates its image cache at start even with caching off, and exits when it cannot.
  extraDirectories: (input) => [
    `${input.glance.working_directory}/staging`,
    `${input.glance.working_directory}/tasks`,
    input.glance.image_cache_datadir,
    ...CACHE_SUBDIRECTORIES.map((sub) => `${input.glance.image_cache_datadir}/${sub}`),
  ],
  storeAccess,
  refusedOptions: {
    swift: {
      swift_store_multi_tenant: "multi-tenant stores keep each image in its owner's own Swift account, reached with the user's token: glance-barclamp deploys the single-tenant store of the proposal's account",
      swift_store_admin_tenants: "it only matters to multi-tenant stores, which glance-barclamp does not deploy",
    },
  },
  configFiles,
  // /versions answers even when the database is unusable: the image list is the real test.
  probes: [{ service: "api", paths: ["/versions", "/v2/images?limit=1"], guarded: ["/v2/images?limit=1"] }],
  maxHeaderLine: 16384,
  imageApiVersion: "2",
  registersInKeystone: true,
  keystoneCredential: "service_password",
  rules: [noEquivalent, swiftOnZed],
  // Fields zed has no option for: spelled out, validate would warn about them.
  newProposalOmits: ["registry", "image_cache_grace_period"],
  // Generated by scripts/generate-*-catalogue from the real Glance; its shape is ours.
  catalogue: () => catalogue as unknown as Catalogue,
  // The catalogue's secret options, and the key of glance-swift.conf (a reference file no catalogue describes).
  secretOptions: () => [...secretOptionsOf(catalogue as unknown as Catalogue), "key"],
  catalogueFiles: { api: "glance-api.conf", scrubber: "glance-scrubber.conf", reaper: "glance-cache.conf", pruner: "glance-cache.conf", prefetcher: "glance-cache.conf" },
  setBy: SET_BY,
} as const satisfies ReleaseModule;
