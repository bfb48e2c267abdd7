/**
 * Glance 2011.3 ("diablo"), the seed's era: API and registry behind paste pipelines, and four
 * periodic tools, each with its own config file (options from glance-options/diablo*.json).
 */
import { SECRET } from "../render/secret-slots.js";
import type { Finding } from "../proposal/resolve.js";
import { G, type Rule } from "../proposal/rules/types.js";
import type { StoreAccess } from "../swift-access.js";
import catalogue from "./catalogues/diablo.json" with { type: "json" };
import { commonServiceValues, formatterFor } from "./common.js";
import type { Catalogue, ConfigFileSpec, PeriodicJob, ReleaseInput, ReleaseModule } from "./types.js";

const PERIODIC_JOBS: readonly PeriodicJob[] = [
  { job: "scrubber", binary: "/usr/bin/glance-scrubber", placement: "one-node" },
  { job: "reaper", binary: "/usr/bin/glance-cache-reaper", placement: "caching-nodes" },
  { job: "pruner", binary: "/usr/bin/glance-cache-pruner", placement: "caching-nodes" },
  { job: "prefetcher", binary: "/usr/bin/glance-cache-prefetcher", placement: "caching-nodes" },
];
const CACHE_JOBS = PERIODIC_JOBS.filter((j) => j.placement === "caching-nodes").map((j) => j.job);

const format = formatterFor("paste");

const storeValues = (input: ReleaseInput) => {
  const g = input.glance;
  if (g.default_store === "file") return { file: { datadir: format.value(g.filesystem_store_datadir) }, swift: null };
  return {
    file: null,
    swift: {
      auth_address: format.value(g.swift_store_auth_address),
      user: format.value(g.swift_store_user),
      key: format.secret(SECRET.swiftKey),
      container: format.value(g.swift_store_container),
      create_container: format.bool(g.swift_store_create_container_on_put),
      large_object_size: g.swift_store_large_object_size,
      large_object_chunk_size: g.swift_store_large_object_chunk_size,
    },
  };
};

/** 2011.3's Swift store speaks v1 auth only, and takes an address without a scheme as HTTPS. */
const storeAccess = (input: ReleaseInput): StoreAccess => {
  const g = input.glance;
  if (g.default_store === "file") return { kind: "file", path: g.filesystem_store_datadir };
  const address = g.swift_store_auth_address;
  return {
    kind: "swift",
    authAddress: address.includes("://") ? address : `https://${address}`,
    authVersion: "1",
    user: g.swift_store_user,
    keySlot: SECRET.swiftKey,
    container: g.swift_store_container,
    createOnPut: g.swift_store_create_container_on_put,
    userDomain: g.swift_store_user_domain,
    projectDomain: g.swift_store_project_domain,
    region: g.swift_store_region,
    interface: "public",
  };
};

/** Keystone-backed Swift came after 2011.3. */
const swiftOnDiablo: Rule = {
  reads: ["default_store", "swift_store_auth_version", "swift_store_use_keystone"].map((f) => [...G, f]),
  check: ({ proposal }) => {
    const g = proposal.attributes.glance;
    if (g.default_store !== "swift") return [];
    const findings: Finding[] = [];
    if (g.swift_store_use_keystone)
      findings.push({
        path: [...G, "swift_store_use_keystone"],
        severity: "error",
        code: "swift-keystone-unsupported",
        message: "Glance 2011.3's Swift store authenticates with v1 auth only: it cannot take Keystone's credentials",
        hint: "give swift_store_auth_address, user and key of a v1 auth (tempauth, swauth), or use release zed",
      });
    if (g.swift_store_auth_version !== "auto" && g.swift_store_auth_version !== "1")
      findings.push({
        path: [...G, "swift_store_auth_version"],
        severity: "error",
        code: "swift-auth-unsupported",
        message: `Glance 2011.3's Swift store speaks v1 auth only, not ${g.swift_store_auth_version}`,
        hint: 'remove the field (or set "1"), or use release zed',
      });
    return findings;
  },
};

const keystoneValues = (input: ReleaseInput) => {
  const instance = input.keystone?.instance;
  if (instance === undefined) return null;
  const host = instance.host.includes(":") ? `[${instance.host}]` : instance.host;
  return {
    protocol: instance.protocol,
    host: format.value(instance.host),
    public_port: instance.public_port,
    admin_port: instance.admin_port,
    auth_uri: format.value(`${instance.protocol}://${host}:${instance.public_port}/v2.0`),
    admin_token: format.secret(SECRET.keystoneAdminToken),
  };
};

/** The registry as the API and prefetcher reach it: on this node, at its bind address. */
const registryHost = (input: ReleaseInput): string => (input.bind.registry === "0.0.0.0" ? "127.0.0.1" : input.bind.registry);

const configFiles = (input: ReleaseInput): ConfigFileSpec[] => {
  const g = input.glance;
  const keystone = keystoneValues(input);
  const store = storeValues(input);
  const sqlConnection = format.connection(input.database, "mysql");
  const cache = {
    enabled: format.bool(g.enable_caching),
    filter: g.enable_caching,
    datadir: format.value(g.image_cache_datadir),
    stall_timeout: g.image_cache_stall_timeout,
    grace_period: g.image_cache_grace_period,
    max_size_bytes: g.image_cache_max_size_bytes,
  };
  const registry = { registry_host: format.value(registryHost(input)), registry_port: g.registry.bind_port };
  const header = input.header;
  const apiPipeline = ["versionnegotiation", ...(keystone ? ["authtoken", "keystone_shim"] : ["context"]), ...(g.enable_caching ? ["imagecache"] : []), "apiv1app"];
  const registryPipeline = [...(keystone ? ["authtoken", "keystone_shim"] : ["context"]), "registryapp"];
  const file = (service: ConfigFileSpec["service"] & keyof typeof g, context: object, description: string): ConfigFileSpec => ({
    service,
    path: (g[service] as { config_file: string }).config_file,
    template: `diablo/glance-${service}.conf`,
    context: { header, ...commonServiceValues(format, g[service], g.use_syslog), ...context },
    description,
  });
  return [
    file(
      "api",
      {
        bind_host: format.value(input.bind.api),
        bind_port: g.api.bind_port,
        default_store: g.default_store,
        notifier_strategy: g.notifier_strategy,
        delayed_delete: format.bool(g.delayed_delete),
        ...registry,
        store,
        cache,
        keystone,
        pipeline: apiPipeline.join(" "),
      },
      "glance-api configuration",
    ),
    file(
      "registry",
      {
        bind_host: format.value(input.bind.registry),
        bind_port: g.registry.bind_port,
        sql_connection: sqlConnection,
        sql_idle_timeout: g.sql_idle_timeout,
        keystone,
        pipeline: registryPipeline.join(" "),
      },
      "glance-registry configuration",
    ),
    file(
      "scrubber",
      { scrub_time: g.scrub_time, sql_connection: sqlConnection, sql_idle_timeout: g.sql_idle_timeout, store },
      "glance-scrubber configuration",
    ),
    ...CACHE_JOBS.map((job) => file(job, { cache, ...registry }, `glance-cache-${job} configuration`)),
  ];
};

/** What the diablo templates write, and from which proposal field (extra_config may not set these). */
const LOGGING = { verbose: "{service}.verbose", debug: "{service}.debug", log_file: "{service}.log_file", use_syslog: "use_syslog" };
const SQL = { sql_connection: "database (with mysql_* or sqlite_connection)", sql_idle_timeout: "sql_idle_timeout" };
const CACHE = { image_cache_enabled: "enable_caching", image_cache_datadir: "image_cache_datadir" };
const SWIFT = {
  swift_store_auth_address: "swift_store_auth_address",
  swift_store_user: "swift_store_user",
  swift_store_key: "swift_store_key",
  swift_store_container: "swift_store_container",
};
const PASTE = "glance-barclamp's paste pipeline";
const pasteSections = (names: string[]) => Object.fromEntries(names.map((n) => [n, { "*": PASTE }]));
const SET_BY: ReleaseModule["setBy"] = {
  "glance-api.conf": {
    DEFAULT: {
      ...LOGGING,
      ...CACHE,
      ...SWIFT,
      default_store: "default_store",
      bind_host: "api.bind_open_address",
      bind_port: "api.bind_port",
      registry_host: "registry.bind_open_address",
      registry_port: "registry.bind_port",
      notifier_strategy: "notifier_strategy",
      delayed_delete: "delayed_delete",
      filesystem_store_datadir: "filesystem_store_datadir",
      swift_store_create_container_on_put: "swift_store_create_container_on_put",
      swift_store_large_object_size: "swift_store_large_object_size",
      swift_store_large_object_chunk_size: "swift_store_large_object_chunk_size",
      image_cache_stall_timeout: "image_cache_stall_timeout",
    },
    ...pasteSections(["pipeline:glance-api", "pipeline:versions", "filter:authtoken", "filter:keystone_shim"]),
  },
  "glance-registry.conf": {
    DEFAULT: { ...LOGGING, ...SQL, bind_host: "registry.bind_open_address", bind_port: "registry.bind_port" },
    ...pasteSections(["pipeline:glance-registry", "filter:authtoken", "filter:keystone_shim", "filter:context"]),
  },
  "glance-scrubber.conf": { DEFAULT: { ...LOGGING, ...SQL, ...SWIFT, daemon: "periodic_jobs (one pass per run)", scrub_time: "scrub_time", filesystem_store_datadir: "filesystem_store_datadir" } },
  "glance-reaper.conf": { DEFAULT: { ...LOGGING, ...CACHE, image_cache_invalid_entry_grace_period: "image_cache_grace_period", image_cache_stall_timeout: "image_cache_stall_timeout" } },
  "glance-pruner.conf": { DEFAULT: { ...LOGGING, ...CACHE, image_cache_max_size_bytes: "image_cache_max_size_bytes" } },
  "glance-prefetcher.conf": { DEFAULT: { ...LOGGING, ...CACHE, registry_host: "registry.bind_open_address", registry_port: "registry.bind_port" } },
};

export const diablo = {
  name: "diablo",
  summary: "2011.3, the seed's era",
  glanceVersion: "2011.3",
  dialect: "paste",
  longLived: [
    { service: "registry", binary: "/usr/bin/glance-registry", description: "OpenStack Image Service (Glance) registry" },
    { service: "api", binary: "/usr/bin/glance-api", description: "OpenStack Image Service (Glance) API", after: ["registry"] },
  ],
  periodicJobs: PERIODIC_JOBS,
  manageBinary: "/usr/bin/glance-manage",
  cacheSubdirectories: ["incomplete", "invalid", "prefetch", "prefetching"],
  dbSyncService: "registry",
  extraDirectories: () => [],
  storeAccess,
  refusedOptions: {},
  configFiles,
  probes: [
    { service: "api", paths: ["/versions", "/v1/images?limit=1"], guarded: ["/v1/images?limit=1"] },
    { service: "registry", paths: ["/images"], guarded: ["/images"] },
  ],
  maxHeaderLine: undefined,
  imageApiVersion: "1",
  registersInKeystone: false,
  // Its Keystone middleware (v2-era) authenticates with the admin token.
  keystoneCredential: "admin_token",
  rules: [swiftOnDiablo],
  // The Keystone-era Swift fields: 2011.3 reads none of them.
  newProposalOmits: [
    "swift_store_auth_version",
    "swift_store_use_keystone",
    "swift_store_user_domain",
    "swift_store_project_domain",
    "swift_store_region",
    "swift_store_endpoint_type",
    "swift_store_auth_insecure",
  ],
  // Generated by scripts/generate-*-catalogue from the real Glance; its shape is ours.
  catalogue: () => catalogue as unknown as Catalogue,
  // Glance 2011.3 had no secret flag on its options: these are the ones its files hold secrets in.
  secretOptions: () => ["admin_password", "admin_token", "sql_connection", "swift_store_key"],
  catalogueFiles: {
    api: "glance-api.conf",
    registry: "glance-registry.conf",
    scrubber: "glance-scrubber.conf",
    reaper: "glance-reaper.conf",
    pruner: "glance-pruner.conf",
    prefetcher: "glance-prefetcher.conf",
  },
  setBy: SET_BY,
} as const satisfies ReleaseModule;
