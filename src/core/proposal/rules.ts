/**
 * Cross-field rules: what the schema alone cannot say. Each rule is a small function of the parsed
 * proposal; all of them run and every finding is reported together.
 */
import { cronFieldCount } from "./fields.js";
import type { Inventory } from "./inventory.js";
import type { Finding, Resolution } from "./resolve.js";
import { GLANCE_SERVER_ROLE, PERIODIC_JOBS, SERVICES, type Proposal } from "./schema.js";
import { nearest } from "./schema-walk.js";

export interface RuleContext {
  proposal: Proposal;
  inventory: Inventory | undefined;
  resolution: Resolution;
  /** Whether the proposal file spells out a value at a path (rather than taking the default). */
  spelledOut: (path: ReadonlyArray<string | number>) => boolean;
}

/**
 * A rule and the fields it reads. When the schema rejected some fields, the rules still run on the
 * rest of the proposal (every problem at once), except those that read a rejected field.
 */
type Check = (context: RuleContext) => Finding[];

export interface Rule {
  reads: ReadonlyArray<ReadonlyArray<string | number>>;
  check: (context: RuleContext) => Finding[];
}

const G = ["attributes", "glance"] as const;
const ELEMENTS = ["deployment", "glance", "elements"] as const;

export const glanceServers = (proposal: Proposal): string[] => proposal.deployment.glance.elements[GLANCE_SERVER_ROLE] ?? [];

const portsDiffer: Check = ({ proposal, spelledOut }) => {
  const { api, registry } = proposal.attributes.glance;
  if (proposal.attributes.glance.release !== "diablo" || api.bind_port !== registry.bind_port) return [];
  const culprit = spelledOut([...G, "registry", "bind_port"]) ? "registry" : "api";
  return [
    {
      path: [...G, culprit, "bind_port"],
      severity: "error",
      code: "ports-differ",
      message: `the API and the registry both use port ${api.bind_port}`,
      hint: "give each its own port (defaults: API 9292, registry 9191)",
    },
  ];
};

const distinctField =
  (field: "log_file" | "config_file", code: string, what: string): Check =>
  ({ proposal }) => {
    const glance = proposal.attributes.glance;
    const firstUser = new Map<string, string>();
    const findings: Finding[] = [];
    for (const service of SERVICES) {
      const value = glance[service][field];
      const other = firstUser.get(value);
      if (other === undefined) firstUser.set(value, service);
      else
        findings.push({
          path: [...G, service, field],
          severity: "error",
          code,
          message: `the ${service} and the ${other} share the ${what} ${value}`,
          hint:
            field === "log_file"
              ? `give each service its own log file, e.g. /var/log/glance/${service}.log`
              : `give each service its own config file, e.g. /etc/glance/glance-${service}.conf`,
        });
    }
    return findings;
  };

const swiftComplete: Check = ({ proposal }) => {
  const glance = proposal.attributes.glance;
  if (glance.default_store !== "swift") return [];
  const findings: Finding[] = [];
  for (const field of ["swift_store_auth_address", "swift_store_user", "swift_store_container"] as const) {
    if (glance[field].trim() === "")
      findings.push({
        path: [...G, field],
        severity: "error",
        code: "swift-incomplete",
        message: `${field} must not be empty when default_store is "swift"`,
        hint: "fill in the Swift settings, or use the file store",
      });
  }
  return findings;
};

const isSameOrInside = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

const cacheOutsideStore: Check = ({ proposal }) => {
  const { image_cache_datadir: cache, filesystem_store_datadir: store } = proposal.attributes.glance;
  if (isSameOrInside(cache, store))
    return [
      {
        path: [...G, "image_cache_datadir"],
        severity: "error",
        code: "cache-inside-store",
        message: `the image cache ${cache} is ${cache === store ? "the image store" : "inside the image store"} ${store}`,
        hint: "the pruner deletes files in the cache: keep it apart, e.g. /var/lib/glance/image-cache",
      },
    ];
  if (isSameOrInside(store, cache))
    return [
      {
        path: [...G, "filesystem_store_datadir"],
        severity: "error",
        code: "store-inside-cache",
        message: `the image store ${store} is inside the image cache ${cache}`,
        hint: "the pruner deletes files in the cache: keep the store apart, e.g. /var/lib/glance/images",
      },
    ];
  return [];
};

const resolvedInstances: Check = ({ resolution }) => resolution.findings;

const keystoneCredentials: Check = ({ proposal, resolution }) => {
  const instance = resolution.keystone?.instance;
  if (instance === undefined) return [];
  const release = proposal.attributes.glance.release;
  const needed = release === "diablo" ? "admin_token" : "service_password";
  if (instance[needed] !== undefined) return [];
  return [
    {
      path: [...G, "keystone_instance"],
      severity: "error",
      code: "keystone-credentials",
      message: `Keystone instance "${resolution.keystone?.instanceName}" has no ${needed}, which the ${release} middleware needs`,
      hint: `add ${needed} to that instance in the inventory (inline, {"env": NAME} or {"file": PATH})`,
    },
  ];
};

const elementsValid: Check = ({ proposal, inventory }) => {
  const findings: Finding[] = [];
  const elements = proposal.deployment.glance.elements;
  for (const [role, nodes] of Object.entries(elements)) {
    if (role !== GLANCE_SERVER_ROLE) {
      findings.push({
        path: [...ELEMENTS, role],
        severity: "error",
        code: "unknown-role",
        message: `unknown role "${role}"`,
        hint: `this barclamp has one role: "${GLANCE_SERVER_ROLE}"`,
      });
      continue;
    }
    const seen = new Set<string>();
    nodes.forEach((node, index) => {
      if (seen.has(node))
        findings.push({
          path: [...ELEMENTS, role, index],
          severity: "error",
          code: "duplicate-node",
          message: `node "${node}" is listed twice`,
          hint: "list each node once",
        });
      seen.add(node);
      if (inventory !== undefined && inventory.nodes[node] === undefined) {
        const suggestion = nearest(node, Object.keys(inventory.nodes));
        findings.push({
          path: [...ELEMENTS, role, index],
          severity: "error",
          code: "unknown-node",
          message: `node "${node}" is not in the inventory`,
          hint: suggestion !== undefined ? `did you mean "${suggestion}"?` : "add the node to the inventory's nodes",
        });
      }
    });
  }
  return findings;
};

const multiNodeShared: Check = ({ proposal, resolution }) => {
  const servers = new Set(glanceServers(proposal));
  if (servers.size <= 1) return [];
  const findings: Finding[] = [];
  if (resolution.database.kind !== "mysql")
    findings.push({
      path: [...G, "database"],
      severity: "error",
      code: "multi-node-database",
      message: `${servers.size} glance-server nodes cannot share an SQLite file`,
      hint: 'use MySQL: set database to "mysql" (or "auto") with a MySQL instance in the inventory',
    });
  if (resolution.database.kind === "mysql" && proposal.attributes.glance.mysql_password === undefined)
    findings.push({
      path: [...G, "database"],
      severity: "error",
      code: "multi-node-password",
      message: `${servers.size} glance-server nodes would each generate their own MySQL password for the shared user`,
      hint: 'set mysql_password (inline, {"env": NAME} or {"file": PATH}) so that every node uses the same one',
    });
  if (proposal.attributes.glance.default_store === "file")
    findings.push({
      path: [...G, "default_store"],
      severity: "error",
      code: "multi-node-store",
      message: `${servers.size} glance-server nodes would each keep images in their own local directory`,
      hint: 'use a shared store: set default_store to "swift"',
    });
  return findings;
};

const scrubberNode: Check = ({ proposal }) => {
  const node = proposal.attributes.glance.scrubber.node;
  const servers = glanceServers(proposal);
  if (node === undefined || servers.includes(node)) return [];
  return [
    {
      path: [...G, "scrubber", "node"],
      severity: "error",
      code: "scrubber-node",
      message: `scrubber node "${node}" is not a glance-server element`,
      hint: servers.length > 0 ? `choose one of: ${servers.join(", ")}` : "add it to deployment.glance.elements",
    },
  ];
};

const secondsSchedules: Check = ({ proposal }) => {
  const glance = proposal.attributes.glance;
  if (glance.periodic_jobs === "none") return [];
  return PERIODIC_JOBS.filter((job) => cronFieldCount(glance[job].schedule) === 6).map((job) => ({
    path: [...G, job, "schedule"],
    severity: "error" as const,
    code: "seconds-schedule",
    message: `a schedule with a seconds field cannot run from ${glance.periodic_jobs === "cron" ? "cron" : "a systemd timer"}`,
    hint: 'use 5 fields (minute hour day month weekday), or set periodic_jobs to "none" and run `glance-barclamp schedule`',
  }));
};

const registryOnZed: Check = ({ proposal, spelledOut }) => {
  if (proposal.attributes.glance.release !== "zed" || !spelledOut([...G, "registry"])) return [];
  return [
    {
      path: [...G, "registry"],
      severity: "warning",
      code: "registry-ignored",
      message: "the registry no longer exists in zed: its settings have no effect",
      hint: "remove the registry block, or use release diablo",
    },
  ];
};

const INSTANCE_FIELDS = ["database", "mysql_instance", "mysql_database", "mysql_user", "use_keystone", "keystone_instance"].map(
  (field) => [...G, field],
);

/** Values a release has no option for are reported, never dropped silently. */
const noEquivalent: Check = ({ proposal, spelledOut }) => {
  const g = proposal.attributes.glance;
  const findings: Finding[] = [];
  if (g.images.length > 0)
    findings.push({
      path: [...G, "images"],
      severity: "warning",
      code: "images-not-uploaded",
      message: `${g.images.length} image URL(s) listed: glance-barclamp does not upload images`,
      hint: "upload them once Glance runs, e.g. glance image-create --file IMAGE (or remove the list)",
    });
  if (g.release !== "zed") return findings;
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
};

export const RULES: readonly Rule[] = [
  { reads: [[...G, "release"], [...G, "api", "bind_port"], [...G, "registry", "bind_port"]], check: portsDiffer },
  {
    reads: SERVICES.map((service) => [...G, service, "log_file"]),
    check: distinctField("log_file", "log-files-distinct", "log file"),
  },
  {
    reads: SERVICES.map((service) => [...G, service, "config_file"]),
    check: distinctField("config_file", "config-files-distinct", "config file"),
  },
  {
    reads: ["default_store", "swift_store_auth_address", "swift_store_user", "swift_store_container"].map((f) => [...G, f]),
    check: swiftComplete,
  },
  { reads: [[...G, "image_cache_datadir"], [...G, "filesystem_store_datadir"]], check: cacheOutsideStore },
  { reads: INSTANCE_FIELDS, check: resolvedInstances },
  { reads: [...INSTANCE_FIELDS, [...G, "release"]], check: keystoneCredentials },
  { reads: [ELEMENTS], check: elementsValid },
  { reads: [ELEMENTS, ...INSTANCE_FIELDS, [...G, "default_store"], [...G, "mysql_password"]], check: multiNodeShared },
  { reads: [ELEMENTS, [...G, "scrubber", "node"]], check: scrubberNode },
  { reads: [[...G, "periodic_jobs"], ...PERIODIC_JOBS.map((job) => [...G, job, "schedule"])], check: secondsSchedules },
  { reads: [[...G, "release"], [...G, "registry"]], check: registryOnZed },
  {
    reads: [[...G, "release"], [...G, "images"], [...G, "image_cache_grace_period"], ...SERVICES.map((s) => [...G, s, "verbose"])],
    check: noEquivalent,
  },
];

const overlaps = (a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Runs every rule that reads none of the `rejected` paths (all of them when none was rejected). */
export const runRules = (context: RuleContext, rejected: ReadonlyArray<ReadonlyArray<string | number>> = []): Finding[] =>
  RULES.filter((rule) => !rule.reads.some((read) => rejected.some((path) => overlaps(read, path)))).flatMap((rule) =>
    rule.check(context),
  );
