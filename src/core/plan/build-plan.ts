/**
 * Proposal + inventory + node → plan. Pure: no file system, no process, no database; the same
 * inputs always give the same plan, which `plan`, `render`, `diff` and `apply` all share. Each part
 * of the plan is built in parts/; this module puts them together in phase order.
 */
import type { PeriodicJobName, ServiceName } from "../glance.js";
import type { Inventory } from "../proposal/inventory.js";
import type { Resolution } from "../proposal/resolve.js";
import type { Proposal } from "../proposal/schema.js";
import { releaseModule } from "../releases/index.js";
import { hasService, type ReleaseInput } from "../releases/types.js";
import { renderTemplate } from "../render/engine.js";
import { SECRET } from "../render/secret-slots.js";
import { databaseResource, dbSyncResource } from "./parts/database.js";
import { directoryResources } from "./parts/directories.js";
import { withExtraConfig } from "./parts/extra-config.js";
import { fileResource, headerFor } from "./parts/files.js";
import { imagesResource } from "./parts/images.js";
import { keystoneResource } from "./parts/keystone.js";
import { bindAddress, checkPlanNode, requireInventory } from "./parts/nodes.js";
import { periodicAssignments, periodicResources } from "./parts/periodic.js";
import { secretSlots } from "./parts/secrets.js";
import { serviceResources } from "./parts/services.js";
import { unitResources } from "./parts/units.js";
import { PHASES, type Plan, type Resource } from "./types.js";

export interface PlanRequest {
  proposal: Proposal;
  resolution: Resolution;
  inventory: Inventory | undefined;
  /** The node to plan for: --node, or the local host name. */
  node: string;
  /** Cron entries a distribution package already ships for some jobs (observed by the caller). */
  packagedCron?: Partial<Record<PeriodicJobName, string>>;
}

export const buildPlan = (request: PlanRequest): Plan => {
  const { proposal, resolution, inventory, node } = request;
  const g = proposal.attributes.glance;
  checkPlanNode(proposal, node);
  requireInventory(resolution);
  const module = releaseModule(g.release);
  const hasRegistry = hasService(module, "registry");
  const bind = {
    api: bindAddress(g.api.bind_open_address, "api", node, inventory),
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
  const configFiles = specs.map((spec) => {
    const dialect = spec.dialect ?? module.dialect;
    const rendered = renderTemplate(spec.template, spec.context);
    const text = spec.service === "swift-reference" ? rendered : withExtraConfig(rendered, g, spec.service, dialect);
    return { ...fileResource("config", spec.path, text, spec.description, dialect, "root", "glance"), maskedOptions: module.secretOptions() };
  });
  const configOf = (service: ServiceName): string => {
    const spec = specs.find((s) => s.service === service);
    if (spec === undefined) throw new Error(`release ${module.name} has no config file for ${service}`);
    return spec.path;
  };
  const units = unitResources(module, header, g, configOf);
  const database = databaseResource(proposal, resolution);
  const assignments = periodicAssignments(request, module, configOf);
  const periodic = periodicResources(proposal, assignments, header);
  const registration = keystoneResource(proposal, module, resolution, inventory, node);
  const seed = imagesResource(proposal, module, node, bind.api, registration);

  const resources: Resource[] = [
    ...directoryResources(input, module, specs.map((s) => s.path), resolution),
    ...configFiles,
    database,
    dbSyncResource(proposal, module, node, configOf(module.dbSyncService), database),
    ...(registration === undefined ? [] : [registration]),
    ...units.units,
    ...units.absent,
    ...periodic.files,
    ...serviceResources(module, specs, registration?.endpoints !== undefined ? registration.id : undefined),
    ...periodic.services,
    ...(seed === undefined ? [] : [seed]),
  ];
  const phaseOrder = (r: Resource): number => PHASES.indexOf(r.phase);
  resources.sort((a, b) => phaseOrder(a) - phaseOrder(b));

  const store = module.storeAccess(input);
  const used = new Set(resources.flatMap((r) => (r.kind === "file" ? r.secrets : [])));
  // verify authenticates to Swift with the store's key (a release may keep it in no file).
  if (store.kind === "swift") used.add(store.keySlot);
  if (database.engine === "mysql") used.add(SECRET.mysqlAdminPassword).add(SECRET.mysqlPassword);
  if (registration?.endpoints !== undefined) {
    used.add(SECRET.keystonePassword);
    if (registration.admin !== undefined) used.add("passwordSlot" in registration.admin ? registration.admin.passwordSlot : registration.admin.tokenSlot);
  }

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
    store,
    secrets: secretSlots(request, used),
    resources,
  };
};
