/**
 * Glance's registration in Keystone, as the 2011 barclamp's keystone_register did it: the service
 * project, the service user (its password reset when Keystone no longer accepts it), its roles on
 * the project, a service of type image, and its public, internal and admin endpoints in the region.
 * Looked up first; only what is missing or different becomes a step, so a second apply changes
 * nothing in Keystone.
 */
import * as z from "zod";
import { failureError } from "../errors.js";
import { call, keystoneFetch, passwordToken, type KeystoneTarget, type PasswordLogin } from "./client.js";

export interface Registration {
  target: KeystoneTarget;
  region: string;
  admin: PasswordLogin | { token: string; user?: undefined };
  serviceUser: { name: string; domain: string; project: string; projectDomain: string; password: string; roles: readonly string[] };
  service: { type: string; name: string; description: string };
  endpoints: { public: string; internal: string; admin: string };
}

export interface RegistrationStep {
  /** One line for the report; never a secret. */
  description: string;
  run: () => Promise<void>;
}

const Named = z.array(z.object({ id: z.string(), name: z.string() }));
const Domains = z.object({ domains: Named });
const Projects = z.object({ projects: Named });
const Users = z.object({ users: Named });
const Roles = z.object({ roles: Named });
const EndpointList = z.object({ endpoints: z.array(z.object({ id: z.string(), interface: z.string(), region_id: z.string().nullish(), url: z.string() })) });
const ServiceList = z.object({ services: z.array(z.object({ id: z.string(), type: z.string(), name: z.string().optional() })) });
const Id = z.object({ id: z.string() });

const INTERFACES = ["public", "internal", "admin"] as const;

/** Ids learnt while inspecting, or once the steps that create them ran. */
interface Ids {
  project?: string;
  user?: string;
  service?: string;
  roles: Record<string, string>;
}

export const inspectRegistration = async (r: Registration): Promise<RegistrationStep[]> => {
  const { target } = r;
  const token = "token" in r.admin ? r.admin.token : (await passwordToken(target, r.admin)).value;
  const q = encodeURIComponent;
  const steps: RegistrationStep[] = [];
  const ids: Ids = { roles: {} };

  const domainId = async (name: string): Promise<string> => {
    const found = (await call(target, token, "GET", `/v3/domains?name=${q(name)}`, [200], Domains)).body?.domains[0];
    if (found === undefined) throw failureError("keystone-no-domain", `Keystone at ${target.url} has no domain ${name}`, { hint: "create it, or name another domain in the inventory" });
    return found.id;
  };
  const userDomain = await domainId(r.serviceUser.domain);
  const projectDomain = r.serviceUser.projectDomain === r.serviceUser.domain ? userDomain : await domainId(r.serviceUser.projectDomain);

  const project = (await call(target, token, "GET", `/v3/projects?name=${q(r.serviceUser.project)}&domain_id=${q(projectDomain)}`, [200], Projects)).body?.projects[0];
  if (project !== undefined) ids.project = project.id;
  else
    steps.push({
      description: `create project ${r.serviceUser.project}`,
      run: async () => {
        ids.project = (await call(target, token, "POST", "/v3/projects", [201], z.object({ project: Id }), { project: { name: r.serviceUser.project, domain_id: projectDomain, description: "Service project" } })).body?.project.id;
      },
    });

  const user = (await call(target, token, "GET", `/v3/users?name=${q(r.serviceUser.name)}&domain_id=${q(userDomain)}`, [200], Users)).body?.users[0];
  if (user !== undefined) {
    ids.user = user.id;
    if (!(await acceptsPassword(target, r.serviceUser.name, r.serviceUser.domain, r.serviceUser.password)))
      steps.push({
        description: `reset the password of user ${r.serviceUser.name} (Keystone refused the inventory's)`,
        run: async () => {
          await call(target, token, "PATCH", `/v3/users/${q(user.id)}`, [200], undefined, { user: { password: r.serviceUser.password } });
        },
      });
  } else
    steps.push({
      description: `create user ${r.serviceUser.name}`,
      run: async () => {
        ids.user = (
          await call(target, token, "POST", "/v3/users", [201], z.object({ user: Id }), {
            user: { name: r.serviceUser.name, domain_id: userDomain, password: r.serviceUser.password, enabled: true, ...(ids.project === undefined ? {} : { default_project_id: ids.project }) },
          })
        ).body?.user.id;
      },
    });

  for (const roleName of r.serviceUser.roles) {
    const role = (await call(target, token, "GET", `/v3/roles?name=${q(roleName)}`, [200], Roles)).body?.roles[0];
    if (role === undefined) throw failureError("keystone-no-role", `Keystone at ${target.url} has no role ${roleName}`, { hint: "keystone-manage bootstrap creates it" });
    ids.roles[roleName] = role.id;
    const assigned = ids.project !== undefined && ids.user !== undefined && (await call(target, token, "HEAD", `/v3/projects/${q(ids.project)}/users/${q(ids.user)}/roles/${q(role.id)}`, [204, 404])).status === 204;
    if (!assigned)
      steps.push({
        description: `grant role ${roleName} to ${r.serviceUser.name} on project ${r.serviceUser.project}`,
        run: async () => {
          await call(target, token, "PUT", `/v3/projects/${q(ids.project ?? "")}/users/${q(ids.user ?? "")}/roles/${q(role.id)}`, [204]);
        },
      });
  }

  const services = (await call(target, token, "GET", `/v3/services?type=${q(r.service.type)}`, [200], ServiceList)).body?.services ?? [];
  const service = services.find((s) => s.name === r.service.name) ?? services[0];
  if (service !== undefined) ids.service = service.id;
  else
    steps.push({
      description: `create service ${r.service.name} (type ${r.service.type})`,
      run: async () => {
        ids.service = (await call(target, token, "POST", "/v3/services", [201], z.object({ service: Id }), { service: { type: r.service.type, name: r.service.name, description: r.service.description, enabled: true } })).body?.service.id;
      },
    });

  const regions = await call(target, token, "GET", `/v3/regions/${q(r.region)}`, [200, 404]);
  if (regions.status === 404)
    steps.push({
      description: `create region ${r.region}`,
      run: async () => {
        await call(target, token, "POST", "/v3/regions", [201], undefined, { region: { id: r.region } });
      },
    });

  const existing = service === undefined ? [] : ((await call(target, token, "GET", `/v3/endpoints?service_id=${q(service.id)}`, [200], EndpointList)).body?.endpoints ?? []);
  for (const iface of INTERFACES) {
    const url = r.endpoints[iface];
    const current = existing.find((e) => e.interface === iface && e.region_id === r.region);
    if (current === undefined)
      steps.push({
        description: `create ${iface} endpoint ${url} in ${r.region}`,
        run: async () => {
          await call(target, token, "POST", "/v3/endpoints", [201], undefined, { endpoint: { service_id: ids.service, interface: iface, region_id: r.region, url, enabled: true } });
        },
      });
    else if (current.url !== url)
      steps.push({
        description: `move the ${iface} endpoint in ${r.region} from ${current.url} to ${url}`,
        run: async () => {
          await call(target, token, "PATCH", `/v3/endpoints/${q(current.id)}`, [200], undefined, { endpoint: { url } });
        },
      });
  }
  return steps;
};

/** Whether Keystone accepts the user's password, without a scope (a user with no role yet still gets a token). */
const acceptsPassword = async (target: KeystoneTarget, user: string, domain: string, password: string): Promise<boolean> => {
  const response = await keystoneFetch(target, "POST", "/v3/auth/tokens", {
    body: { auth: { identity: { methods: ["password"], password: { user: { name: user, domain: { name: domain }, password } } } } },
  });
  await response.arrayBuffer();
  return response.status === 201;
};
