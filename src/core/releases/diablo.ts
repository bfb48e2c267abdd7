/**
 * Glance 2011.3 ("diablo"), the seed's era: API and registry behind paste pipelines, and four
 * periodic tools, each with its own config file (options from glance-options/diablo*.json).
 */
import { SECRET } from "../render/secret-slots.js";
import { commonServiceValues, formatterFor } from "./common.js";
import type { ConfigFileSpec, PeriodicJob, ReleaseInput, ReleaseModule } from "./types.js";

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
    },
  };
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
  rules: [],
  newProposalOmits: [],
  catalogue: async () => (await import("./catalogues/diablo.json", { with: { type: "json" } })).default,
} as const satisfies ReleaseModule;
