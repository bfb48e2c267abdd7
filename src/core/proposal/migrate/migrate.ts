/**
 * `proposal migrate`: a Crowbar proposal of any era into glance-barclamp's own format. Steps run
 * from the input's era down to 2011's fields (each consumes the keys its era introduced and maps
 * them onto the model), then the 2011 step carries what remains. Every input field ends mapped,
 * kept (Crowbar's bookkeeping), dropped with a warning saying what is lost, or refused with what it
 * did in Crowbar, why glance-barclamp cannot do it and what to change; nothing disappears silently.
 * Pure: the caller reads and writes the files.
 */
import { CURRENT_RELEASE, DEFAULT_RELEASE, releaseModule } from "../../releases/index.js";
import type { Finding } from "../resolve.js";
import { GlanceAttributesSchema } from "../schema.js";
import { nearest } from "../schema-walk.js";
import { deploymentOf, describeShape, detectShape, OWN_REVISION, OWN_REVISION_KEY, type Shape } from "./shape.js";

type Json = Record<string, unknown>;
type Path = Array<string | number>;

type Disposition = "mapped" | "kept" | "dropped" | "refused";

export interface Migration {
  shape: Shape;
  release: string;
  /** What migrate decided on the operator's behalf (the release, an id it renamed). */
  notes: string[];
  /** Refusals (errors) and dropped fields (warnings), at their paths in the input. */
  findings: Finding[];
  /** The migrated proposal; undefined when anything was refused. */
  proposal: Json | undefined;
  /** What became of every leaf of the input, by its JSON path (joined with "\u0000"). */
  dispositions: Map<string, Disposition>;
  /** The steps that ran, in order. */
  steps: string[];
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

export const pathKey = (path: readonly (string | number)[]): string => path.join("\u0000");

/** Leaves of a JSON value: scalars, arrays and empty objects. */
export const leafPaths = (value: unknown, prefix: Path = []): Path[] =>
  isObject(value) && Object.keys(value).length > 0 ? Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k])) : [prefix];

const G: Path = ["attributes", "glance"];
const D: Path = ["deployment", "glance"];

/** Crowbar's bookkeeping in deployment.glance: no Glance meaning, kept as written. */
const BOOKKEEPING = [
  "crowbar-revision",
  "crowbar-applied",
  "schema-revision",
  "element_states",
  "element_order",
  "config",
  "crowbar-status",
  "crowbar-failed",
  "crowbar-committing",
  "crowbar-queued",
] as const;

const GIT_FIELDS = ["gitrepo", "git_refspec", "use_gitrepo", "use_gitbarclamp", "pfs_deps", "git_instance", "use_virtualenv", "use_pip_cache"];
const CACHE_TOOLS = ["reaper", "pruner", "prefetcher"] as const;

class Work {
  readonly out: Json = {};
  readonly findings: Finding[] = [];
  readonly dispositions = new Map<string, Disposition>();
  /** What no step has consumed yet, by top-level key of attributes.glance. */
  readonly rest: Json;

  constructor(glance: Json) {
    this.rest = structuredClone(glance);
  }

  has(key: string): boolean {
    return key in this.rest;
  }

  peek(key: string): unknown {
    return this.rest[key];
  }

  /** Takes a key (or a key inside a block) out of the input, recording what became of each of its leaves. */
  take(path: readonly string[], disposition: Disposition): unknown {
    let parent: Json = this.rest;
    for (const step of path.slice(0, -1)) {
      const next = parent[step];
      if (!isObject(next)) return undefined;
      parent = next;
    }
    const last = path[path.length - 1] as string;
    if (!(last in parent)) return undefined;
    const value = parent[last];
    delete parent[last];
    for (const leaf of leafPaths(value, [...G, ...path])) this.dispositions.set(pathKey(leaf), disposition);
    // A block emptied by its steps is gone too.
    if (path.length > 1 && Object.keys(parent).length === 0) delete this.rest[path[0] as string];
    return value;
  }

  set(path: readonly string[], value: unknown): void {
    let parent = this.out;
    for (const step of path.slice(0, -1)) {
      if (!isObject(parent[step])) parent[step] = {};
      parent = parent[step] as Json;
    }
    parent[path[path.length - 1] as string] = value;
  }

  map(from: readonly string[], to: readonly string[] = from, convert: (value: unknown) => unknown = (v) => v): void {
    if (!this.hasPath(from)) return;
    this.set(to, convert(this.take(from, "mapped")));
  }

  hasPath(path: readonly string[]): boolean {
    let current: unknown = this.rest;
    for (const step of path) {
      if (!isObject(current) || !(step in current)) return false;
      current = current[step];
    }
    return true;
  }

  drop(key: string, lost: string, hint?: string): void {
    if (!this.has(key)) return;
    this.take([key], "dropped");
    this.findings.push({ path: [...G, key], severity: "warning", code: "migrate-dropped", message: `${key} is dropped: ${lost}`, ...(hint === undefined ? {} : { hint }) });
  }

  refuse(path: readonly string[], crowbar: string, why: string, change: string): void {
    this.take(path, "refused");
    this.findings.push({ path: [...G, ...path], severity: "error", code: "migrate-refused", message: `${path.join(".")}: in Crowbar ${crowbar}; ${why}`, hint: change });
  }
}

/** crowbar-openstack's own additions (revisions 20-302). */
const crowbarOpenstackStep = (w: Work, release: string): void => {
  const crossdomain = w.peek("crossdomain");
  if (isObject(crossdomain) && crossdomain.enabled === true)
    w.refuse(["crossdomain"], "it turned on CORS for the listed hosts", "glance-barclamp does not configure Glance's CORS middleware", "set crossdomain.enabled to false (or remove the block), and put CORS in front of Glance");
  else w.drop("crossdomain", "CORS was off: nothing is lost");
  if (w.has("enable_v1")) {
    const hasV1 = releaseModule(release).imageApiVersion === "1";
    if (w.peek("enable_v1") === true && !hasV1)
      w.refuse(["enable_v1"], "it kept the Images API v1 open", `Glance of release ${release} has no v1 API`, "set enable_v1 to false (clients must use v2), or migrate with --release for a Glance that serves v1");
    else w.drop("enable_v1", hasV1 ? `release ${release} serves the v1 API in any case` : "the v1 API was off, as it is here");
  }
  w.drop("enable_v3_api", "it chose the Keystone API version; glance-barclamp configures Keystone's one endpoint");
  w.drop("conversion", "image conversion on import is not configured by glance-barclamp");
  const rate = w.peek("ha_rate_limit");
  if (isObject(rate) && Object.values(rate).some((v) => v !== 0))
    w.refuse(["ha_rate_limit"], "HAProxy limited the request rate to the API", "glance-barclamp deploys no HAProxy", 'set every ha_rate_limit value to 0 (or remove it), and limit the rate in your load balancer');
  else w.drop("ha_rate_limit", "no limit was set: nothing is lost");
  w.drop("memcache_secret_key", "a secret for Keystone's token cache in memcached, which glance-barclamp does not configure (its value is not shown)");
};

/** The revisioned templates' additions (barclamp-glance 1-14, crowbar-openstack 1-12 and later). */
const revisionedStep = (w: Work, shape: Shape, release: string, notes: string[]): void => {
  const store = w.peek("default_store");
  w.drop("rabbitmq_instance", "Glance sent notifications to RabbitMQ; they are lost (notifier_strategy decides what is logged)");
  for (const [block, what] of [
    ["rbd", "Ceph RBD"],
    ["vsphere", "VMware vSphere"],
  ] as const) {
    const value = w.peek(block);
    const used = store === block || (block === "vsphere" && isObject(value) && typeof value.host === "string" && value.host !== "");
    if (used) w.refuse([block], `it kept the images in ${what}`, "glance-barclamp deploys the file and Swift stores only", 'set default_store to "file" or "swift" and move the images there');
    else w.drop(block, `its ${what} settings had no effect (default_store is ${JSON.stringify(store ?? "file")})`);
  }
  if (w.hasPath(["db"])) {
    w.map(["db", "database"], ["mysql_database"]);
    w.map(["db", "user"], ["mysql_user"]);
    if (w.hasPath(["db", "password"])) {
      const password = w.take(["db", "password"], "mapped");
      // "" meant "generate one": so it does here.
      if (password !== "") w.set(["mysql_password"], password);
    }
  }
  if (shape.kind !== "crowbar-2012-2013" && "revision" in shape && shape.revision >= 3 && !w.has("use_keystone")) {
    w.set(["use_keystone"], true);
    notes.push("use_keystone is true: from schema revision 3 on, Keystone was always on");
  }
  if (w.has("max_header_line")) {
    const value = w.peek("max_header_line");
    const glanceDefault = releaseModule(release).maxHeaderLine;
    if (glanceDefault === undefined && value !== 16384)
      w.refuse(["max_header_line"], `it raised the longest request header line to ${String(value)}`, `Glance of release ${release} has no such option`, "remove max_header_line, or migrate with --release for a current Glance");
    else if (glanceDefault !== undefined && value !== glanceDefault)
      w.refuse(["max_header_line"], `it set the longest request header line to ${String(value)}`, `glance-barclamp has no field for it yet (Glance's default is ${glanceDefault})`, `remove max_header_line to use ${glanceDefault}`);
    else w.drop("max_header_line", glanceDefault === undefined ? `release ${release} has no such option` : `${glanceDefault} is Glance's own default: nothing is lost`);
  }
  if (w.peek("show_storage_location") === true)
    w.refuse(["show_storage_location"], "the API showed where each image is stored (show_image_direct_url, later show_multiple_locations)", "glance-barclamp does not model it", "set show_storage_location to false (or remove it)");
  else w.drop("show_storage_location", "locations were hidden, as they are here");
};

/** 2012-09 to late 2013: PFS/git installs, global log levels, the swift and ssl blocks, database_instance. */
const step2013 = (w: Work, release: string): void => {
  if (w.peek("use_gitrepo") === true)
    w.refuse(["use_gitrepo"], "Glance was installed from a git repository (PFS)", "glance-barclamp deploys the distribution's packages", "set use_gitrepo to false and install Glance from packages");
  for (const field of GIT_FIELDS) w.drop(field, "Crowbar's PFS/git install settings; Glance comes from the distribution's packages");
  // The services of the chosen release only: a release without a registry gets no registry block.
  const module = releaseModule(release);
  const services = [...module.longLived.map((l) => l.service), ...module.periodicJobs.map((j) => j.job)];
  for (const level of ["verbose", "debug"]) {
    if (!w.has(level)) continue;
    const value = w.take([level], "mapped");
    for (const service of services) w.set([service, level], value);
  }
  const swift = w.peek("swift");
  if (isObject(swift)) {
    w.map(["swift", "store_container"], ["swift_store_container"]);
    w.map(["swift", "store_create_container_on_put"], ["swift_store_create_container_on_put"]);
    for (const key of Object.keys(swift))
      if (w.hasPath(["swift", key]))
        w.refuse(["swift", key], "it tuned the Swift store", "glance-barclamp does not model that Swift setting", `remove swift.${key}`);
  }
  if (w.peek("default_store") === "swift" && !w.has("swift_store_auth_address"))
    w.findings.push({
      path: [...G, "default_store"],
      severity: "error",
      code: "migrate-refused",
      message: 'default_store: in Crowbar from 2013 on, Glance took its Swift credentials from Keystone (its URL, "service_tenant:service_user" and the service password); glance-barclamp needs them in the proposal',
      hint: "add swift_store_auth_address (Keystone's or Swift's auth URL), swift_store_user (account:user) and swift_store_key (a secret reference)",
    });
  const protocol = w.hasPath(["api", "protocol"]) ? (w.peek("api") as Json).protocol : undefined;
  if (protocol === "https")
    w.refuse(["api", "protocol"], "the API served https with the certificates in ssl.*", "glance-barclamp serves http", 'set api.protocol to "http" and terminate TLS in front of Glance');
  else if (protocol !== undefined) w.take(["api", "protocol"], "mapped");
  if (w.has("ssl")) w.drop("ssl", protocol === "https" ? "the certificates of the https API" : "the API served http: the certificates had no effect");
  if (w.has("database_instance")) {
    w.map(["database_instance"], ["mysql_instance"]);
    w.set(["database"], "mysql");
  }
};

/** 2012: paste files, the one cache block, the cache size in bytes, the service user. */
const step2012 = (w: Work): void => {
  for (const block of ["api", "registry"])
    if (w.hasPath([block, "paste_ini"])) {
      w.take([block, "paste_ini"], "dropped");
      w.findings.push({ path: [...G, block, "paste_ini"], severity: "warning", code: "migrate-dropped", message: `${block}.paste_ini is dropped: glance-barclamp renders the paste pipeline itself` });
    }
  if (isObject(w.peek("cache"))) {
    for (const level of ["verbose", "debug"]) {
      if (!w.hasPath(["cache", level])) continue;
      const value = w.take(["cache", level], "mapped");
      for (const tool of CACHE_TOOLS) w.set([tool, level], value);
    }
    for (const file of ["log_file", "config_file"])
      if (w.hasPath(["cache", file])) {
        w.take(["cache", file], "dropped");
        w.findings.push({
          path: [...G, "cache", file],
          severity: "warning",
          code: "migrate-dropped",
          message: `cache.${file} is dropped: the reaper, pruner and prefetcher each get their own (${file === "log_file" ? "/var/log/glance/<tool>.log" : "/etc/glance/glance-<tool>.conf"})`,
        });
      }
    w.drop("cache", "settings of the cache tools that glance-barclamp does not model");
  }
  w.map(["image_cache_max_size"], ["image_cache_max_size_bytes"]);
  w.drop("service_user", "the Keystone service user belongs to the inventory's Keystone instance", "set service_user there");
  w.drop("service_password", "the Keystone service user's password belongs to the inventory's Keystone instance (its value is not shown)", "set service_password there");
  if (w.peek("use_cachemanagement") === true)
    w.refuse(["use_cachemanagement"], "the API served the cache-management calls", "glance-barclamp does not model the cachemanage middleware", "set use_cachemanagement to false (or remove it)");
  else w.drop("use_cachemanagement", "cache management was off, as it is here");
};

/** 2011's fields are the model's: what remains is carried over, or refused as unknown. */
const step2011 = (w: Work): void => {
  const fields = GlanceAttributesSchema.shape as Record<string, unknown>;
  for (const key of Object.keys(w.rest)) {
    if (!(key in fields)) {
      const suggestion = nearest(key, Object.keys(fields));
      w.take([key], "refused");
      w.findings.push({
        path: [...G, key],
        severity: "error",
        code: "migrate-unknown",
        message: `${key} is not a field of any Crowbar Glance proposal glance-barclamp knows`,
        hint: suggestion === undefined ? "remove it" : `did you mean "${suggestion}"?`,
      });
      continue;
    }
    const value = w.peek(key);
    // A service block already started by a later step (global log levels) keeps what it was given.
    if (isObject(value) && isObject(w.out[key])) {
      for (const inner of Object.keys(value)) w.set([key, inner], w.take([key, inner], "mapped"));
      w.take([key], "mapped");
    } else w.set([key], w.take([key], "mapped"));
  }
};

const ID_PATTERN = /^(?:bc-glance-[A-Za-z0-9_.-]+|bc-template-glance)$/u;

const migrateId = (id: unknown, notes: string[]): unknown => {
  if (typeof id !== "string" || ID_PATTERN.test(id)) return id;
  const renamed = id === "template-glance" ? "bc-template-glance" : id.startsWith("glance-") ? `bc-${id}` : id;
  if (renamed !== id) notes.push(`the id ${id} becomes ${renamed}`);
  return renamed;
};

export const migrateProposal = (value: unknown, options: { release?: string } = {}): Migration => {
  const shape = detectShape(value);
  const input = isObject(value) ? value : {};
  const notes: string[] = [];
  const steps: string[] = [];
  const attributes = isObject(input.attributes) ? input.attributes : {};
  const glance = isObject(attributes.glance) ? attributes.glance : {};
  const ownRelease = typeof glance.release === "string" ? glance.release : undefined;
  const later = shape.kind !== "crowbar-2011" && shape.kind !== "glance-barclamp";
  const release = options.release ?? ownRelease ?? (later ? CURRENT_RELEASE : DEFAULT_RELEASE);
  if (options.release === undefined && ownRelease === undefined && later)
    notes.push(`release ${release}: a proposal of this era targets a Glance newer than 2011.3 (choose another with --release)`);

  const w = new Work(glance);
  if (shape.kind === "glance-barclamp" && shape.revision > OWN_REVISION)
    w.findings.push({
      path: [...D, OWN_REVISION_KEY],
      severity: "error",
      code: "migrate-newer",
      message: `this proposal is of glance-barclamp's format revision ${shape.revision}, newer than this glance-barclamp (${OWN_REVISION})`,
      hint: "use a newer glance-barclamp",
    });
  const revisioned = shape.kind === "barclamp-glance" || shape.kind === "crowbar-openstack";
  if (shape.kind === "crowbar-openstack") {
    steps.push("crowbar-openstack revisions 20-302");
    crowbarOpenstackStep(w, release);
  }
  if (revisioned) {
    steps.push("schema revisions 1-14");
    revisionedStep(w, shape, release, notes);
  }
  if (revisioned || (shape.kind === "crowbar-2012-2013" && shape.era === "2013")) {
    steps.push("2012-09 to 2013");
    step2013(w, release);
  }
  if (later) {
    steps.push("2012");
    step2012(w);
  }
  steps.push("2011", `glance-barclamp revision ${OWN_REVISION}`);
  step2011(w);
  if (ownRelease === undefined && (later || options.release !== undefined)) w.set(["release"], release);
  else if (options.release !== undefined) w.set(["release"], options.release);

  // The deployment: Crowbar's bookkeeping kept as written, the elements mapped, our revision added.
  const dispositions = w.dispositions;
  const deployment = deploymentOf(input);
  const outDeployment: Json = {};
  for (const [key, inner] of Object.entries(deployment)) {
    const leaves = leafPaths(inner, [...D, key]);
    if ((BOOKKEEPING as readonly string[]).includes(key) || key === "elements" || key === OWN_REVISION_KEY) {
      if (key !== OWN_REVISION_KEY) outDeployment[key] = inner;
      for (const leaf of leaves) dispositions.set(pathKey(leaf), key === "elements" ? "mapped" : "kept");
    } else {
      for (const leaf of leaves) dispositions.set(pathKey(leaf), "refused");
      w.findings.push({ path: [...D, key], severity: "error", code: "migrate-unknown", message: `deployment.glance.${key} is not part of a Crowbar Glance proposal`, hint: "remove it" });
    }
  }
  outDeployment[OWN_REVISION_KEY] = OWN_REVISION;

  const out: Json = {};
  for (const [key, inner] of Object.entries(input)) {
    const leaves = leafPaths(inner, [key]);
    if (key === "attributes") {
      for (const [k, v] of Object.entries(attributes))
        if (k !== "glance") {
          for (const leaf of leafPaths(v, ["attributes", k])) dispositions.set(pathKey(leaf), "refused");
          w.findings.push({ path: ["attributes", k], severity: "error", code: "migrate-unknown", message: `attributes.${k} belongs to no Glance barclamp`, hint: "remove it" });
        }
      continue;
    }
    if (key === "deployment") {
      for (const [k, v] of Object.entries(isObject(inner) ? inner : {}))
        if (k !== "glance") {
          for (const leaf of leafPaths(v, ["deployment", k])) dispositions.set(pathKey(leaf), "refused");
          w.findings.push({ path: ["deployment", k], severity: "error", code: "migrate-unknown", message: `deployment.${k} belongs to no Glance barclamp`, hint: "remove it" });
        }
      continue;
    }
    if (key === "id") out.id = migrateId(inner, notes);
    else if (key === "description" || key === "$schema") out[key] = inner;
    else {
      for (const leaf of leaves) dispositions.set(pathKey(leaf), "refused");
      w.findings.push({ path: [key], severity: "error", code: "migrate-unknown", message: `${key} is not part of a proposal`, hint: "remove it" });
      continue;
    }
    for (const leaf of leaves) dispositions.set(pathKey(leaf), "mapped");
  }
  out.attributes = { glance: w.out };
  out.deployment = { glance: outDeployment };
  const refused = w.findings.some((f) => f.severity === "error");
  if (shape.kind !== "crowbar-2011" && shape.kind !== "glance-barclamp") notes.unshift(`read as ${describeShape(shape)}`);
  return { shape, release, notes, findings: w.findings, proposal: refused ? undefined : out, dispositions, steps };
};
