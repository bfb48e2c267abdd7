/**
 * The proposal schema: the single source of truth for every parameter of the Glance barclamp, its
 * type, default and description. Defaults follow the barclamp's documentation page (Dec 2011),
 * which wins over the 2011 proposal template where they disagree. Fields new in glance-barclamp
 * are optional and default to what a 2011 proposal meant.
 */
import * as z from "zod";
import {
  absolutePath,
  cronSchedule,
  extraConfig,
  httpUrl,
  instanceName,
  nodeName,
  port,
  readablePath,
  seconds,
  secretRef,
  swiftAuthAddress,
  text,
  token,
} from "./fields.js";
import { GLANCE_SERVER_ROLE, type PeriodicJobName, type ServiceName } from "../glance.js";
import { DEFAULT_RELEASE, RELEASE_MODULES } from "../releases/index.js";
import { OWN_REVISION, OWN_REVISION_KEY } from "./migrate/shape.js";

const RELEASE_NAMES = RELEASE_MODULES.map((m) => m.name) as [string, ...string[]];

const MAX_URL = 2048;

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`, "u"), { error: `must be ${length} lower-case hexadecimal digits` });

/** An image to seed: the 2011 form (a URL) or an object. The URL's scheme is checked by the images rule. */
const imageEntry = () =>
  z.union([
    token(MAX_URL),
    z.strictObject({
      url: token(MAX_URL).meta({ description: "http or https URL of the image, or of a .tar.gz AMI bundle." }),
      name: text(255).min(1).optional().meta({ description: "Image name (for a bundle, the machine image's; kernel and ramdisk get -kernel, -ramdisk)." }),
      disk_format: z.enum(["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso", "ploop", "ami", "ari", "aki"]).optional(),
      container_format: z.enum(["bare", "ovf", "ova", "docker", "compressed", "ami", "ari", "aki"]).optional(),
      visibility: z.enum(["public", "private", "shared", "community"]).optional(),
      checksum: hex(32).optional().meta({ description: "MD5 of the image data." }),
      os_hash_algo: z.enum(["sha256", "sha384", "sha512"]).optional(),
      os_hash_value: z.string().regex(/^[0-9a-f]{64,128}$/u, { error: "must be lower-case hexadecimal digits" }).optional(),
      min_disk: z.int().min(0).optional(),
      min_ram: z.int().min(0).optional(),
      properties: z
        .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,255}$/u, { error: "must be a property name (letters, digits, _ . : -)" }), text(255))
        .optional(),
    }),
  ]);

const DEFAULT_SCHEDULES: Record<PeriodicJobName, string> = {
  scrubber: "1 * * * *",
  reaper: "5 * * * *",
  pruner: "45 * * * *",
  prefetcher: "25 * * * *",
};

const commonServiceFields = (name: ServiceName) => ({
  verbose: z.boolean().default(true).meta({ description: `Log at INFO level ("loud mode") in the ${name}.` }),
  debug: z.boolean().default(false).meta({ description: `Log at DEBUG level in the ${name}.` }),
  log_file: absolutePath()
    .default(`/var/log/glance/${name}.log`)
    .meta({ description: `Log file of the ${name}; distinct from every other service's.` }),
  config_file: absolutePath()
    .default(`/etc/glance/glance-${name}.conf`)
    .meta({ description: `Configuration file written for the ${name}; distinct from every other service's.` }),
  extra_config: extraConfig()
    .optional()
    .meta({
      description: `Options the proposal does not model, for the ${name}'s file: {SECTION: {OPTION: VALUE}}, checked against the release's option catalogue; a secret as {"env": NAME} or {"file": PATH}.`,
    }),
});

const listenerFields = (name: "api" | "registry", defaultPort: number) => ({
  ...commonServiceFields(name),
  bind_open_address: z
    .boolean()
    .default(true)
    .meta({ description: `Bind the ${name} to 0.0.0.0 instead of the node's admin-network address.` }),
  bind_port: port().default(defaultPort).meta({ description: `TCP port the ${name} listens on.` }),
});

const listenerService = (name: "api" | "registry", defaultPort: number) =>
  z
    .strictObject(listenerFields(name, defaultPort))
    .prefault({})
    .meta({ description: `Settings of the glance-${name} service.` });

const periodicFields = (name: PeriodicJobName) => ({
  ...commonServiceFields(name),
  schedule: cronSchedule()
    .default(DEFAULT_SCHEDULES[name])
    .meta({
      description: `When the ${name} runs: a cron expression (5 fields; 6 with leading seconds only when periodic_jobs is "none").`,
    }),
});

const periodicService = (name: PeriodicJobName) =>
  z.strictObject(periodicFields(name)).prefault({}).meta({ description: `Settings of the periodic ${name} job.` });

export const GlanceAttributesSchema = z
  .strictObject({
    release: z
      .enum(RELEASE_NAMES)
      .default(DEFAULT_RELEASE)
      .meta({ description: `Glance release to configure: ${RELEASE_MODULES.map((m) => `"${m.name}" (${m.summary})`).join(" or ")}.` }),
    images: z
      .array(imageEntry())
      .default([])
      .meta({
        description:
          "Images to seed once the service runs: a URL (an image, or a .tar.gz AMI bundle of kernel, ramdisk and machine image), or an object naming the image's url, name, formats, visibility, checksum and properties.",
      }),
    api: z
      .strictObject({
        ...listenerFields("api", 9292),
        public_url: httpUrl()
          .optional()
          .meta({ description: "URL clients reach the API at (a load balancer for several nodes): registered in Keystone as the image endpoints instead of the node's addresses." }),
      })
      .prefault({})
      .meta({ description: "Settings of the glance-api service." }),
    registry: listenerService("registry", 9191),
    scrubber: z
      .strictObject({
        ...periodicFields("scrubber"),
        node: nodeName()
          .optional()
          .meta({ description: "Node that runs the scrubber when several serve Glance; default: the first glance-server element." }),
      })
      .prefault({})
      .meta({ description: "Settings of the periodic scrubber job." }),
    reaper: periodicService("reaper"),
    pruner: periodicService("pruner"),
    prefetcher: periodicService("prefetcher"),
    periodic_jobs: z
      .enum(["cron", "systemd-timer", "none"])
      .default("cron")
      .meta({
        description:
          'How periodic jobs run: "cron" (/etc/cron.d, as in 2011), "systemd-timer", or "none" (run `glance-barclamp schedule`).',
      }),
    enable_caching: z.boolean().default(false).meta({ description: "Turn on the image cache and its reaper, pruner and prefetcher jobs." }),
    image_cache_datadir: absolutePath()
      .default("/var/lib/glance/image-cache")
      .meta({ description: "Where cached images are kept; never the image store nor inside it." }),
    image_cache_stall_timeout: seconds()
      .default(86400)
      .meta({ description: "Seconds before a stalled cache fill is reaped (Stall Timeout)." }),
    image_cache_grace_period: seconds()
      .default(3600)
      .meta({ description: "Seconds an invalid cache entry is kept before it is reaped (Grace Period)." }),
    image_cache_max_size_bytes: z
      .int()
      .min(1)
      .default(1073741824)
      .meta({ description: "Cache size above which the pruner removes the least recently used images." }),
    use_syslog: z.boolean().default(false).meta({ description: "Log to syslog instead of the log files, in every service." }),
    notifier_strategy: z
      .enum(["noop", "logging"])
      .default("noop")
      .meta({ description: 'Notification strategy: "noop" (default) or "logging".' }),
    default_store: z
      .enum(["file", "swift"])
      .default("file")
      .meta({ description: 'Backing type: "file" keeps images in filesystem_store_datadir, "swift" in Swift.' }),
    filesystem_store_datadir: absolutePath()
      .default("/var/lib/glance/images")
      .meta({ description: "Image Store Directory, used when default_store is file." }),
    swift_store_auth_address: swiftAuthAddress(MAX_URL)
      .default("127.0.0.1:8080/v1.0")
      .meta({ description: "Swift authentication URL (auth/proxy), used when default_store is swift." }),
    swift_store_user: text(256).default("glance").meta({ description: "User Glance authenticates to Swift with." }),
    swift_store_key: secretRef().default("glance").meta({ description: "Key (password) of the Swift user. Secret." }),
    swift_store_container: text(256)
      .refine((s) => !s.includes("/"), { error: "must not contain '/'" })
      .default("glance")
      .meta({ description: "Swift container that holds the images." }),
    swift_store_create_container_on_put: z
      .boolean()
      .default(false)
      .meta({ description: "Create the Swift container on the first upload when it is missing." }),
    swift_store_auth_version: z
      .enum(["auto", "1", "2", "3"])
      .default("auto")
      .meta({ description: 'Swift auth version: "auto" reads it from the address (/v1.0: 1, /v2.0: 2, otherwise 3, Keystone v3), or "1", "2", "3".' }),
    swift_store_use_keystone: z.boolean().default(false).meta({
      description:
        "Authenticate to Swift with the inventory's Keystone instance, as Crowbar did from 2013 on: Keystone's v3 URL, the user service_tenant:service_user and its password (swift_store_auth_address, swift_store_user and swift_store_key are then not used).",
    }),
    swift_store_user_domain: text(255).min(1).default("Default").meta({ description: "Domain of the Swift user (Keystone v3)." }),
    swift_store_project_domain: text(255).min(1).default("Default").meta({ description: "Domain of the Swift user's project, the account part of account:user (Keystone v3)." }),
    swift_store_region: text(255).default("").meta({ description: "Region of the object-store endpoint in Keystone's catalog (Keystone v3); empty: the instance's region with swift_store_use_keystone, else the only one." }),
    swift_store_endpoint_type: z
      .enum(["publicURL", "internalURL", "adminURL"])
      .default("publicURL")
      .meta({ description: "Which object-store endpoint of Keystone's catalog Glance uses (Keystone v3)." }),
    swift_store_cacert: readablePath().optional().meta({ description: "CA bundle that signs Swift's (and its Keystone's) https certificate." }),
    swift_store_auth_insecure: z.boolean().default(false).meta({ description: "Skip the verification of Swift's https certificate (tests only)." }),
    swift_store_large_object_size: z
      .number()
      .int()
      .min(1)
      .max(1_048_576)
      .default(5120)
      .meta({ description: "Images larger than this many MB are stored as segmented (large) objects." }),
    swift_store_large_object_chunk_size: z
      .number()
      .int()
      .min(1)
      .max(1_048_576)
      .default(200)
      .meta({ description: "Size in MB of each segment of a large object." }),
    delayed_delete: z
      .boolean()
      .default(false)
      .meta({ description: "Keep deleted images as pending_delete until the scrubber removes them after scrub_time." }),
    scrub_time: seconds()
      .default(43200)
      .meta({ description: "Seconds a pending_delete image waits before the scrubber removes its data." }),
    pid_directory: absolutePath().default("/var/run/glance").meta({ description: "Location of Glance's PID files (runtime directory)." }),
    working_directory: absolutePath().default("/var/lib/glance").meta({ description: "Glance's operation home directory." }),
    sql_idle_timeout: seconds().default(3600).meta({ description: "Seconds before an idle database connection is recycled." }),
    use_keystone: z
      .union([z.boolean(), z.literal("auto")])
      .default("auto")
      .meta({
        description:
          'Authenticate requests through Keystone: true, false, or "auto" (true when the inventory holds a Keystone instance).',
      }),
    keystone_instance: instanceName()
      .default("none")
      .meta({ description: 'Keystone instance to use, by its inventory name; "none" picks the only one there is.' }),
    database: z
      .enum(["mysql", "sqlite", "auto"])
      .default("auto")
      .meta({ description: 'Database type: "mysql", "sqlite", or "auto" (MySQL when the inventory holds a MySQL instance).' }),
    mysql_instance: instanceName()
      .default("none")
      .meta({ description: 'MySQL instance to use, by its inventory name; "none" picks the only one there is.' }),
    mysql_database: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/u, { error: "must be a MySQL database name (letters, digits, _; at most 64)" })
      .default("glancedb")
      .meta({ description: "MySQL database that holds Glance's tables." }),
    mysql_user: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,32}$/u, { error: "must be a MySQL user name (letters, digits, _; at most 32)" })
      .default("glance")
      .meta({ description: "MySQL user Glance connects as." }),
    mysql_password: secretRef()
      .optional()
      .meta({ description: "Password of the MySQL user; when absent one is generated on the first apply and kept. Secret." }),
    sqlite_connection: z
      .string()
      // eslint-disable-next-line no-useless-escape -- kept as written: its source is the JSON Schema's pattern
      .regex(/^sqlite:\/\/\/\/[A-Za-z0-9._@+\/-]+$/u, {
        error: "must be an absolute SQLite URL such as sqlite:////var/lib/glance/glance.sqlite",
      })
      .default("sqlite:////var/lib/glance/glance.sqlite")
      .meta({ description: "SQLite connection string, used when the database is sqlite." }),
  })
  .meta({ description: "Every parameter of the Glance barclamp." });

const DeploymentSchema = z
  .strictObject({
    "crowbar-revision": z.int().min(0).default(0).meta({ description: "Crowbar's revision counter of this proposal." }),
    "crowbar-committing": z.boolean().optional().meta({ description: "Crowbar bookkeeping; kept, not used." }),
    "crowbar-queued": z.boolean().optional().meta({ description: "Crowbar bookkeeping; kept, not used." }),
    "crowbar-applied": z.boolean().optional().meta({ description: "Crowbar bookkeeping; kept, not used." }),
    "crowbar-status": z.string().optional().meta({ description: "Crowbar bookkeeping; kept, not used." }),
    "crowbar-failed": z.union([z.string(), z.boolean()]).optional().meta({ description: "Crowbar bookkeeping; kept, not used." }),
    "schema-revision": z.int().min(0).optional().meta({ description: "Crowbar's template schema revision this proposal was written for; kept, not used." }),
    element_states: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .meta({ description: "Crowbar bookkeeping (node states per role); kept, not used." }),
    [OWN_REVISION_KEY]: z
      .int()
      .min(1)
      .max(OWN_REVISION)
      .optional()
      .meta({ description: "Revision of glance-barclamp's proposal format (written by `proposal migrate`)." }),
    elements: z
      .record(z.string(), z.array(nodeName()))
      .default({})
      .meta({ description: 'Nodes per role: {"glance-server": ["node1", ...]}.' }),
    element_order: z
      .array(z.array(z.string()))
      .default([[GLANCE_SERVER_ROLE]])
      .meta({ description: "Order in which roles are applied (Crowbar)." }),
    config: z
      .looseObject({
        environment: z.string().default("glance-base-config"),
        mode: z.string().default("full"),
        transitions: z.boolean().default(false),
        transition_list: z.array(z.string()).default([]),
      })
      .prefault({})
      .meta({ description: "Crowbar deployment settings; kept for compatibility." }),
  })
  .meta({ description: "Crowbar deployment: which nodes hold the glance-server role." });

export const ProposalSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "JSON Schema reference for editors." }),
    id: z
      .string()
      .regex(/^(?:bc-glance-[A-Za-z0-9_.-]+|bc-template-glance)$/u, {
        error: "must be bc-glance-NAME (or bc-template-glance for Crowbar's template)",
      })
      .meta({ description: "Proposal id: bc-glance-NAME." }),
    description: z.string().max(MAX_URL).default("").meta({ description: "Free text." }),
    attributes: z.strictObject({ glance: GlanceAttributesSchema }).meta({ description: "Barclamp attributes." }),
    deployment: z
      .strictObject({ glance: DeploymentSchema.prefault({}) })
      .prefault({})
      .meta({ description: "Crowbar deployment section." }),
  })
  .meta({ title: "glance-barclamp proposal", description: "A Crowbar-style proposal for the Glance barclamp." });

export type Proposal = z.output<typeof ProposalSchema>;
export type ProposalInput = z.input<typeof ProposalSchema>;
export type GlanceAttributes = Proposal["attributes"]["glance"];
export type ServiceSettings = GlanceAttributes[ServiceName];

