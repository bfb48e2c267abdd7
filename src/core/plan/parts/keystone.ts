/** Glance's registration in Keystone: who registers, what must exist, and the image endpoints. */
import { glanceServers } from "../../proposal/elements.js";
import type { Inventory } from "../../proposal/inventory.js";
import { keystoneUrls } from "../../proposal/keystone-urls.js";
import type { Resolution } from "../../proposal/resolve.js";
import type { Proposal } from "../../proposal/schema.js";
import type { ReleaseModule } from "../../releases/types.js";
import { SECRET } from "../../render/secret-slots.js";
import type { KeystoneResource } from "../types.js";

const apiUrl = (address: string, port: number): string => `http://${address.includes(":") ? `[${address}]` : address}:${port}`;

/** The image endpoints: api.public_url (a load balancer) for every interface, else the node's own addresses. */
const endpointsOf = (proposal: Proposal, inventory: Inventory | undefined, node: string): KeystoneResource["endpoints"] => {
  const api = proposal.attributes.glance.api;
  if (api.public_url !== undefined) return { public: api.public_url, internal: api.public_url, admin: api.public_url };
  const addresses = inventory?.nodes[node];
  if (addresses === undefined) return undefined;
  return {
    public: apiUrl(addresses.public_address ?? addresses.admin_address, api.bind_port),
    internal: apiUrl(addresses.admin_address, api.bind_port),
    admin: apiUrl(addresses.admin_address, api.bind_port),
  };
};

export const keystoneResource = (
  proposal: Proposal,
  module: ReleaseModule,
  resolution: Resolution,
  inventory: Inventory | undefined,
  node: string,
): KeystoneResource | undefined => {
  const keystone = resolution.keystone;
  const instance = keystone?.instance;
  if (keystone === undefined || instance === undefined || !module.registersInKeystone) return undefined;
  const admin: KeystoneResource["admin"] | undefined =
    instance.admin_user !== undefined && instance.admin_password !== undefined
      ? { user: instance.admin_user, project: instance.admin_project, userDomain: instance.admin_user_domain, projectDomain: instance.admin_project_domain, passwordSlot: SECRET.keystoneAdminPassword }
      : instance.admin_token !== undefined
        ? { tokenSlot: SECRET.keystoneAdminToken }
        : undefined;
  const servers = glanceServers(proposal);
  const runsHere = servers.length === 0 || servers[0] === node;
  const endpoints = admin !== undefined && runsHere ? endpointsOf(proposal, inventory, node) : undefined;
  return {
    kind: "keystone",
    id: "keystone:glance",
    phase: "keystone",
    instance: keystone.instanceName,
    url: keystoneUrls(instance).internal,
    region: instance.region,
    admin,
    serviceUser: {
      name: instance.service_user,
      domain: instance.user_domain,
      project: instance.service_tenant,
      projectDomain: instance.project_domain,
      passwordSlot: SECRET.keystonePassword,
      roles: ["admin"],
    },
    service: { type: "image", name: "glance", description: "OpenStack Image Service" },
    ...(endpoints === undefined ? {} : { endpoints }),
    ...(instance.ca_file === undefined ? {} : { caFile: instance.ca_file }),
    insecure: instance.insecure,
    runsHere,
    description:
      admin === undefined
        ? `no Keystone administrator in the inventory: Glance is not registered in ${keystone.instanceName}`
        : !runsHere
          ? `Glance is registered in Keystone from ${servers[0]}`
          : endpoints === undefined
            ? `the image endpoints need the addresses of ${node} in the inventory, or api.public_url: Glance is not registered`
            : `register Glance in Keystone ${keystone.instanceName} (${instance.region})`,
  };
};
