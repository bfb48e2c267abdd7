/**
 * Which era a proposal comes from. Crowbar's proposals changed shape without migrations from 2012
 * to 2013, then carried `deployment.glance.schema-revision` in two lineages whose numbers diverge:
 * barclamp-glance (revisions 1-14, ids `bc-…`) and crowbar-openstack (revisions 1-12 as above,
 * then 20-302; ids `template-glance` / `glance-…`). glance-barclamp's own format carries its own
 * revision. See shared/reference/crowbar-migrations.md.
 */

export const OWN_REVISION_KEY = "glance-barclamp-revision";
/** The revision of glance-barclamp's own proposal format that `proposal migrate` writes. */
export const OWN_REVISION = 1;

export type Shape =
  | { kind: "glance-barclamp"; revision: number }
  | { kind: "crowbar-2011" }
  | { kind: "crowbar-2012-2013"; era: "2012" | "2013" }
  | { kind: "barclamp-glance"; revision: number }
  | { kind: "crowbar-openstack"; revision: number };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Keys that first appear in the 2012 templates (no revision yet). */
const KEYS_2012 = ["cache", "use_cachemanagement", "image_cache_max_size", "service_user"];
/** Keys of the 2012-09 to late-2013 templates (no revision yet). */
const KEYS_2013 = [
  "gitrepo",
  "git_refspec",
  "use_gitrepo",
  "use_gitbarclamp",
  "pfs_deps",
  "git_instance",
  "use_virtualenv",
  "use_pip_cache",
  "verbose",
  "debug",
  "swift",
  "ssl",
  "database_instance",
];
/** Keys the revisioned templates added: a proposal holding one is of a revisioned era even without its revision. */
const KEYS_REVISIONED = [
  "rabbitmq_instance",
  "rbd",
  "db",
  "vsphere",
  "max_header_line",
  "show_storage_location",
  "enable_v3_api",
  "conversion",
  "crossdomain",
  "enable_v1",
  "memcache_secret_key",
  "ha_rate_limit",
];

const glanceOf = (value: Json): Json => {
  const attributes = value.attributes;
  return isObject(attributes) && isObject(attributes.glance) ? attributes.glance : {};
};

export const deploymentOf = (value: Json): Json => {
  const deployment = value.deployment;
  return isObject(deployment) && isObject(deployment.glance) ? deployment.glance : {};
};

const isCrowbarOpenstackId = (id: unknown): boolean => typeof id === "string" && (id === "template-glance" || (id.startsWith("glance-") && !id.startsWith("bc-")));

export const detectShape = (value: unknown): Shape => {
  if (!isObject(value)) return { kind: "crowbar-2011" };
  const deployment = deploymentOf(value);
  const own = deployment[OWN_REVISION_KEY];
  if (typeof own === "number") return { kind: "glance-barclamp", revision: own };
  const glance = glanceOf(value);
  const has = (keys: readonly string[]): boolean => keys.some((k) => k in glance);
  const apiHas = (key: string): boolean => isObject(glance.api) && key in glance.api;
  const revision = typeof deployment["schema-revision"] === "number" ? deployment["schema-revision"] : 0;
  if (revision >= 20 || (revision > 0 && isCrowbarOpenstackId(value.id))) return { kind: "crowbar-openstack", revision };
  if (revision > 0) return { kind: "barclamp-glance", revision };
  if (isCrowbarOpenstackId(value.id) || has(KEYS_REVISIONED)) return { kind: "crowbar-openstack", revision: 0 };
  if (has(KEYS_2013) || apiHas("protocol")) return { kind: "crowbar-2012-2013", era: "2013" };
  // Bookkeeping such as element_states is no sign of an era: Crowbar wrote it into proposals of any shape.
  if (has(KEYS_2012) || apiHas("paste_ini") || (isObject(glance.registry) && "paste_ini" in glance.registry))
    return { kind: "crowbar-2012-2013", era: "2012" };
  return { kind: "crowbar-2011" };
};

/** Whether glance-barclamp reads the shape as written (2011's, or its own). */
export const isReadableAsWritten = (shape: Shape): boolean => shape.kind === "crowbar-2011" || shape.kind === "glance-barclamp";

export const describeShape = (shape: Shape): string => {
  switch (shape.kind) {
    case "glance-barclamp":
      return `glance-barclamp's own format, revision ${shape.revision}`;
    case "crowbar-2011":
      return "a Crowbar proposal of November 2011";
    case "crowbar-2012-2013":
      return shape.era === "2012" ? "a Crowbar proposal of 2012 (no schema revision)" : "a Crowbar proposal of 2012-2013 (no schema revision)";
    case "barclamp-glance":
      return `a barclamp-glance proposal of schema revision ${shape.revision} (2013-2016)`;
    case "crowbar-openstack":
      return shape.revision === 0
        ? "a crowbar-openstack proposal (2015-2021) without its schema revision"
        : `a crowbar-openstack proposal of schema revision ${shape.revision} (2015-2021)`;
  }
};
