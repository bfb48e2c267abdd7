/**
 * Proposal + inventory + node → plan. Pure: no file system, no process, no database; the same
 * inputs always give the same plan, which `plan`, `render`, `diff` and `apply` all share.
 */
import { posix } from "node:path";
import { invalidError } from "../../errors.js";
import type { Inventory } from "../proposal/inventory.js";
import type { Resolution } from "../proposal/resolve.js";
import { glanceServers } from "../proposal/rules.js";
import { PERIODIC_JOBS, type PeriodicJobName, type Proposal, type ServiceName } from "../proposal/schema.js";
import { renderTemplate } from "../render/engine.js";
import { SECRET } from "../releases/common.js";
import { releaseModule } from "../releases/index.js";
import type { ReleaseInput, ReleaseModule } from "../releases/types.js";
import { cronToOnCalendar } from "../cron/on-calendar.js";
import { slotNames } from "../render/secret-slots.js";
import type {
  DirectoryResource,
  FileResource,
  FileRole,
  PeriodicAssignment,
  Plan,
  Resource,
  SecretSlot,
  SecretSource,
  ServiceResource,
} from "./types.js";
import type { SecretRef } from "../proposal/fields.js";
import { PHASES } from "./types.js";
import { compareCodePoints } from "../text-order.js";

export interface PlanRequest {
  proposal: Proposal;
  resolution: Resolution;
  inventory: Inventory | undefined;
  /** The node to plan for: --node, or the local host name. */
  node: string;
  /** Cron entries a distribution package already ships for some jobs (observed by the caller). */
  packagedCron?: Partial<Record<PeriodicJobName, string>>;
}

export const SYSTEMD_DIR = "/etc/systemd/system";
export const CRON_DIR = "/etc/cron.d";
export const MYSQL_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "INDEX", "ALTER"];

const choosePlanNode = (proposal: Proposal, node: string): void => {
  const servers = glanceServers(proposal);
  if (servers.length > 0 && !servers.includes(node))
    throw invalidError("node-not-element", `node "${node}" is not a glance-server element of ${proposal.id}`, {
      hint: `pass --node with one of: ${servers.join(", ")}`,
    });
};

const bindAddress = (open: boolean, service: string, node: string, inventory: Inventory | undefined): string => {
  if (open) return "0.0.0.0";
  const address = inventory?.nodes[node]?.admin_address;
  if (address === undefined)
    throw invalidError("no-admin-address", `the ${service} binds to the admin address of "${node}", which is unknown`, {
      hint:
        inventory === undefined
          ? "pass --inventory with the node's admin_address, or set bind_open_address to true"
          : `add nodes.${node}.admin_address to the inventory, or set bind_open_address to true`,
    });
  return address;
};

const requireInventory = (resolution: Resolution): void => {
  if (resolution.database.kind === "mysql" && resolution.database.instance === undefined)
    throw invalidError("inventory-required", `MySQL instance "${resolution.database.instanceName}" needs an inventory to be planned`, {
      hint: "pass --inventory with that instance's host, port and admin credentials",
    });
  if (resolution.keystone !== undefined && resolution.keystone.instance === undefined)
    throw invalidError("inventory-required", `Keystone instance "${resolution.keystone.instanceName}" needs an inventory to be planned`, {
      hint: "pass --inventory with that instance's endpoints and credentials",
    });
};

export const MANAGED_MARKER = "Managed by glance-barclamp";

const headerFor = (proposal: Proposal): string => `# ${MANAGED_MARKER} from proposal ${proposal.id}: local changes are overwritten.`;

const fileResource = (
  role: FileRole,
  path: string,
  content: string,
  description: string,
  dialect: FileResource["dialect"],
  owner = "root",
  group = "root",
): FileResource => {
  const secrets = slotNames(content);
  // Anything holding a secret is readable by root and the glance group only.
  const secretive = secrets.length > 0;
  return {
    kind: "file",
    id: `file:${path}`,
    phase: role === "config" ? "configs" : role === "unit" ? "units" : "periodic",
    role,
    path,
    owner,
    group: secretive ? "glance" : group,
    mode: secretive ? "0640" : "0644",
    content,
    secrets,
    dialect,
    description,
  };
};

const absent = (path: string, phase: Resource["phase"], description: string): Resource => ({
  kind: "absent",
  id: `absent:${path}`,
  phase,
  path,
  description,
});

const directories = (input: ReleaseInput, module: ReleaseModule, configPaths: string[], request: PlanRequest): DirectoryResource[] => {
  const g = input.glance;
  const managed = new Map<string, string>();
  const addManaged = (path: string, why: string): void => {
    if (!managed.has(path)) managed.set(path, why);
  };
  addManaged(g.working_directory, "working directory");
  addManaged(g.pid_directory, "PID directory");
  if (g.default_store === "file") addManaged(g.filesystem_store_datadir, "image store");
  if (g.enable_caching) {
    addManaged(g.image_cache_datadir, "image cache");
    for (const sub of module.cacheSubdirectories) addManaged(`${g.image_cache_datadir}/${sub}`, "image cache work area");
  }
  for (const service of servicesOf(module)) addManaged(posix.dirname(g[service].log_file), "log directory");
  if (request.resolution.database.kind === "sqlite") addManaged(posix.dirname(request.resolution.database.file), "SQLite directory");
  for (const extra of module.extraDirectories(input)) addManaged(extra, "working area");

  const existOnly = new Set<string>([...configPaths.map((p) => posix.dirname(p)), SYSTEMD_DIR, CRON_DIR]);
  const resources: DirectoryResource[] = [...managed].map(([path, why]) => ({
    kind: "directory",
    id: `dir:${path}`,
    phase: "directories",
    path,
    owner: "glance",
    group: "glance",
    mode: "0750",
    manageOwnership: true,
    description: why,
  }));
  for (const path of existOnly) {
    if (managed.has(path)) continue;
    resources.push({
      kind: "directory",
      id: `dir:${path}`,
      phase: "directories",
      path,
      owner: "root",
      group: "root",
      mode: "0755",
      manageOwnership: false,
      description: "parent of managed files",
    });
  }
  return resources.sort((a, b) => compareCodePoints(a.path, b.path));
};

/** The services a release configures: long-lived ones plus the periodic tools. */
const servicesOf = (module: ReleaseModule): ServiceName[] => [
  ...module.longLived.map((l) => l.service),
  ...PERIODIC_JOBS,
];

const runtimeDirectory = (pidDirectory: string): string | null => {
  for (const prefix of ["/run/", "/var/run/"]) if (pidDirectory.startsWith(prefix)) return pidDirectory.slice(prefix.length);
  return null;
};

const periodicAssignments = (request: PlanRequest, module: ReleaseModule, configOf: (s: ServiceName) => string): PeriodicAssignment[] => {
  const { proposal, node } = request;
  const g = proposal.attributes.glance;
  const servers = glanceServers(proposal);
  const scrubberNode = g.scrubber.node ?? servers[0] ?? node;
  return PERIODIC_JOBS.map((job) => {
    const command = [module.jobBinaries[job], "--config-file", configOf(job)];
    const packaged = request.packagedCron?.[job];
    if (packaged !== undefined)
      return { job, node, runsHere: false, schedule: g[job].schedule, command, reason: `the package's cron entry ${packaged} already runs it` };
    if (job === "scrubber")
      return {
        job,
        node: scrubberNode,
        runsHere: scrubberNode === node,
        schedule: g.scrubber.schedule,
        command,
        reason:
          scrubberNode === node
            ? "the scrubber runs on one node: it works on the shared database and store"
            : `the scrubber runs on ${scrubberNode} only`,
      };
    return {
      job,
      node,
      runsHere: g.enable_caching,
      schedule: g[job].schedule,
      command,
      reason: g.enable_caching ? "each node has its own image cache" : "caching is off",
    };
  });
};

const periodicResources = (
  request: PlanRequest,
  assignments: PeriodicAssignment[],
  header: string,
): { files: Resource[]; services: ServiceResource[] } => {
  const g = request.proposal.attributes.glance;
  const files: Resource[] = [];
  const services: ServiceResource[] = [];
  for (const assignment of assignments) {
    const { job } = assignment;
    const cronPath = `${CRON_DIR}/glance-${job}`;
    const servicePath = `${SYSTEMD_DIR}/glance-${job}.service`;
    const timerPath = `${SYSTEMD_DIR}/glance-${job}.timer`;
    const mode = assignment.runsHere ? g.periodic_jobs : "none";
    const commandLine = assignment.command.join(" ");
    if (mode === "cron") {
      const content = renderTemplate("cron/job", { header, schedule: assignment.schedule, command: commandLine });
      files.push(fileResource("cron", cronPath, content, `cron entry of the ${job}`, "none"));
    } else files.push(absent(cronPath, "periodic", `no cron entry for the ${job} (${assignment.runsHere ? `periodic_jobs is ${g.periodic_jobs}` : assignment.reason})`));
    if (mode === "systemd-timer") {
      const description = `OpenStack Image Service (Glance) ${job}`;
      const service = renderTemplate("systemd/job.service", {
        header,
        description,
        exec_start: commandLine,
        working_directory: g.working_directory,
      });
      const timer = renderTemplate("systemd/job.timer", {
        header,
        description: `Runs the Glance ${job} on its schedule`,
        on_calendar: cronToOnCalendar(assignment.schedule),
        randomized_delay: "5min",
        service_unit: `glance-${job}.service`,
      });
      const serviceFile = fileResource("timer", servicePath, service, `oneshot service of the ${job}`, "none");
      const timerFile = fileResource("timer", timerPath, timer, `timer of the ${job}`, "none");
      files.push(serviceFile, timerFile);
      services.push({
        kind: "service",
        id: `service:glance-${job}.timer`,
        phase: "services",
        unit: `glance-${job}.timer`,
        restartOn: [serviceFile.id, timerFile.id],
        description: `enable and start the ${job} timer`,
      });
    } else {
      files.push(absent(servicePath, "periodic", `no oneshot service for the ${job}`));
      files.push(absent(timerPath, "periodic", `no timer for the ${job}`));
    }
  }
  return { files, services };
};

const sourceOf = (document: "proposal" | "inventory", path: string[], ref: SecretRef): SecretSource => {
  if (typeof ref === "string") return { document, path, via: "inline" };
  return "env" in ref ? { document, path, via: "env", name: ref.env } : { document, path, via: "file", name: ref.file };
};

const secretSlots = (request: PlanRequest, used: Set<string>): SecretSlot[] => {
  const g = request.proposal.attributes.glance;
  const database = request.resolution.database;
  const keystone = request.resolution.keystone;
  const slots: SecretSlot[] = [];
  const add = (name: string, description: string, source: SecretSource | undefined): void => {
    if (used.has(name) && source !== undefined) slots.push({ name, description, source });
  };
  const glancePath = (field: string): string[] => ["attributes", "glance", field];
  add(SECRET.swiftKey, "Swift key", sourceOf("proposal", glancePath("swift_store_key"), g.swift_store_key));
  add(
    SECRET.mysqlPassword,
    "password of the Glance MySQL user",
    g.mysql_password === undefined ? { generated: "mysql-password" } : sourceOf("proposal", glancePath("mysql_password"), g.mysql_password),
  );
  if (database.kind === "mysql" && database.instance !== undefined)
    add(
      SECRET.mysqlAdminPassword,
      `admin password of MySQL instance ${database.instanceName}`,
      sourceOf("inventory", ["mysql", database.instanceName, "admin_password"], database.instance.admin_password),
    );
  const instance = keystone?.instance;
  if (keystone !== undefined && instance?.admin_token !== undefined)
    add(SECRET.keystoneAdminToken, "Keystone admin token", sourceOf("inventory", ["keystone", keystone.instanceName, "admin_token"], instance.admin_token));
  if (keystone !== undefined && instance?.service_password !== undefined)
    add(
      SECRET.keystonePassword,
      "password of the Glance Keystone user",
      sourceOf("inventory", ["keystone", keystone.instanceName, "service_password"], instance.service_password),
    );
  return slots;
};

export const buildPlan = (request: PlanRequest): Plan => {
  const { proposal, resolution, inventory, node } = request;
  const g = proposal.attributes.glance;
  choosePlanNode(proposal, node);
  requireInventory(resolution);
  const module = releaseModule(g.release);
  const hasRegistry = module.longLived.some((l) => l.service === "registry");
  const bind = {
    api: bindAddress(g.api.bind_open_address, "API", node, inventory),
    registry: hasRegistry ? bindAddress(g.registry.bind_open_address, "registry", node, inventory) : undefined,
  };
  const keystone = resolution.keystone;
  const header = headerFor(proposal);
  const input: ReleaseInput = {
    proposal,
    glance: g,
    node,
    bind: { api: bind.api, registry: bind.registry ?? bind.api },
    database: resolution.database,
    keystone: keystone?.instance === undefined ? undefined : { name: keystone.instanceName, instance: keystone.instance },
    header,
  };

  const specs = module.configFiles(input);
  const configFiles = specs.map((spec) =>
    fileResource("config", spec.path, renderTemplate(spec.template, spec.context), spec.description, spec.dialect ?? module.dialect, "root", "glance"),
  );
  const configOf = (service: ServiceName): string => {
    const spec = specs.find((s) => s.service === service);
    if (spec === undefined) throw new Error(`release ${module.release} has no config file for ${service}`);
    return spec.path;
  };

  const units = module.longLived.map((service) =>
    fileResource(
      "unit",
      `${SYSTEMD_DIR}/glance-${service.service}.service`,
      renderTemplate("systemd/service", {
        header,
        description: service.description,
        after: service.service === "api" && hasRegistry ? "glance-registry.service" : "",
        exec_start: `${service.binary} --config-file ${configOf(service.service)}`,
        working_directory: g.working_directory,
        runtime_directory: runtimeDirectory(g.pid_directory),
      }),
      `systemd unit of glance-${service.service}`,
      "none",
    ),
  );
  const absentUnits = hasRegistry ? [] : [absent(`${SYSTEMD_DIR}/glance-registry.service`, "units", "no registry in this release")];

  const database: Resource =
    resolution.database.kind === "sqlite"
      ? {
          kind: "database",
          engine: "sqlite",
          id: "database:glance",
          phase: "database",
          path: resolution.database.file,
          owner: "glance",
          group: "glance",
          mode: "0640",
          description: "SQLite database file",
        }
      : {
          kind: "database",
          engine: "mysql",
          id: "database:glance",
          phase: "database",
          instance: resolution.database.instanceName,
          host: resolution.database.instance?.host ?? "",
          port: resolution.database.instance?.port ?? 3306,
          database: resolution.database.database,
          user: resolution.database.user,
          privileges: MYSQL_PRIVILEGES,
          adminUser: resolution.database.instance?.admin_user ?? "root",
          adminPasswordSlot: SECRET.mysqlAdminPassword,
          passwordSlot: SECRET.mysqlPassword,
          previousSqlite: g.sqlite_connection.slice("sqlite:///".length),
          description: `MySQL database ${resolution.database.database} and user ${resolution.database.user}`,
        };
  const servers = glanceServers(proposal);
  const syncConfig = configOf(module.dbSyncService);
  const dbSync: Resource = {
    kind: "db-sync",
    id: "db-sync",
    phase: "db-sync",
    command: ["/usr/bin/glance-manage", "--config-file", syncConfig, "db_sync"],
    user: "glance",
    configFile: syncConfig,
    runsHere: servers.length === 0 || servers[0] === node,
    description: servers.length > 1 && servers[0] !== node ? `schema migrations run on ${servers[0]}` : "create or migrate the schema",
  };

  const assignments = periodicAssignments(request, module, configOf);
  const periodic = periodicResources(request, assignments, header);

  const services: ServiceResource[] = module.longLived.map((service) => {
    const unitId = `file:${SYSTEMD_DIR}/glance-${service.service}.service`;
    const restartOn = [unitId, `file:${configOf(service.service)}`];
    if (service.service === "api") {
      const swiftReference = specs.find((s) => s.service === "swift-reference");
      if (swiftReference !== undefined) restartOn.push(`file:${swiftReference.path}`);
    }
    return {
      kind: "service",
      id: `service:glance-${service.service}.service`,
      phase: "services",
      unit: `glance-${service.service}.service`,
      restartOn,
      description: `enable and start glance-${service.service}`,
    };
  });

  const resources: Resource[] = [
    ...directories(input, module, specs.map((s) => s.path), request),
    ...configFiles,
    database,
    dbSync,
    ...units,
    ...absentUnits,
    ...periodic.files,
    ...services,
    ...periodic.services,
  ];
  const phaseOrder = (r: Resource): number => PHASES.indexOf(r.phase);
  resources.sort((a, b) => phaseOrder(a) - phaseOrder(b));

  const used = new Set(resources.flatMap((r) => (r.kind === "file" ? r.secrets : [])));
  if (database.kind === "database" && database.engine === "mysql") used.add(SECRET.mysqlAdminPassword).add(SECRET.mysqlPassword);

  return {
    proposal: proposal.id,
    release: g.release,
    node,
    bindAddresses: bind,
    ports: { api: g.api.bind_port, registry: hasRegistry ? g.registry.bind_port : undefined },
    database: resolution.database.kind,
    keystone: keystone?.instanceName,
    periodicMode: g.periodic_jobs,
    periodic: assignments,
    secrets: secretSlots(request, used),
    resources,
  };
};


