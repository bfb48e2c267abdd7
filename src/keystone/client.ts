/**
 * Keystone's v3 REST API over Node's fetch: a token, then look-ups and the few writes Glance's
 * registration needs. Answers are validated at the boundary (zod); no message carries a secret.
 */
import * as z from "zod";
import { failureError } from "../errors.js";
import { describeFetchError } from "../fetch-error.js";

export interface KeystoneTarget {
  /** Keystone's base URL as services reach it, e.g. http://10.0.0.5:5000 or https://ks/identity. */
  url: string;
}

export interface PasswordLogin {
  user: string;
  userDomain: string;
  password: string;
  project: string;
  projectDomain: string;
}

const EndpointSchema = z.object({ id: z.string().optional(), interface: z.string(), region_id: z.string().nullish(), region: z.string().nullish(), url: z.string() });
export const CatalogSchema = z.array(z.object({ type: z.string(), name: z.string().optional(), endpoints: z.array(EndpointSchema) }));
const TokenBodySchema = z.object({ token: z.object({ catalog: CatalogSchema.optional() }) });

export type Catalog = z.infer<typeof CatalogSchema>;

export interface Token {
  value: string;
  catalog: Catalog;
}


const TIMEOUT_MS = 15_000;

/** One request; network failures become a failure naming the URL, never the body sent. */
export const keystoneFetch = async (target: KeystoneTarget, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Response> => {
  const url = `${target.url}${path}`;
  try {
    return await fetch(url, {
      method,
      headers: { accept: "application/json", ...(options.body === undefined ? {} : { "content-type": "application/json" }), ...(options.token === undefined ? {} : { "x-auth-token": options.token }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw failureError("keystone-unreachable", `cannot reach Keystone at ${target.url}: ${describeFetchError(error)}`, {
      hint: "check the Keystone instance's host, port, path and protocol in the inventory (nothing was changed)",
    });
  }
};

const passwordAuth = (login: PasswordLogin) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: login.user, domain: { name: login.userDomain }, password: login.password } } },
    scope: { project: { name: login.project, domain: { name: login.projectDomain } } },
  },
});

/** A project-scoped token with its catalog, or the HTTP status Keystone refused with. */
export const tryPasswordToken = async (target: KeystoneTarget, login: PasswordLogin): Promise<Token | { status: number }> => {
  const response = await keystoneFetch(target, "POST", "/v3/auth/tokens", { body: passwordAuth(login) });
  if (response.status !== 201) {
    await response.arrayBuffer();
    return { status: response.status };
  }
  const value = response.headers.get("x-subject-token");
  const body = TokenBodySchema.safeParse(await response.json().catch(() => undefined));
  if (value === null || !body.success) throw failureError("keystone-answer", `Keystone at ${target.url} answered a token request with no usable token`);
  return { value, catalog: body.data.token.catalog ?? [] };
};

export const passwordToken = async (target: KeystoneTarget, login: PasswordLogin): Promise<Token> => {
  const token = await tryPasswordToken(target, login);
  if ("status" in token)
    throw failureError(
      token.status === 401 ? "keystone-auth" : "keystone-error",
      `Keystone at ${target.url} refused the credentials of ${login.user} in project ${login.project} (${token.status})`,
      { hint: token.status === 401 ? "check the user, its password and its project in the inventory (nothing was changed)" : undefined },
    );
  return token;
};

/** Sends a request with the admin token and checks its status; the body is parsed with `schema`. */
export const call = async <T>(
  target: KeystoneTarget,
  token: string,
  method: string,
  path: string,
  expect: readonly number[],
  schema?: z.ZodType<T>,
  body?: unknown,
): Promise<{ status: number; body: T | undefined }> => {
  const response = await keystoneFetch(target, method, path, { token, ...(body === undefined ? {} : { body }) });
  const what = `${method} ${path.split("?")[0] ?? path}`;
  if (response.status === 401) throw failureError("keystone-auth", `Keystone at ${target.url} no longer accepts the admin token (${what}: 401)`);
  if (response.status === 403)
    throw failureError("keystone-forbidden", `Keystone at ${target.url} forbids ${what} to the administrator (403)`, { hint: "give the inventory's admin_user the admin role on admin_project (nothing was changed)" });
  if (!expect.includes(response.status)) {
    await response.arrayBuffer();
    throw failureError("keystone-error", `Keystone at ${target.url} answered ${response.status} to ${what}`);
  }
  if (schema === undefined || method === "HEAD" || response.status === 204) {
    await response.arrayBuffer();
    return { status: response.status, body: undefined };
  }
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw failureError("keystone-answer", `Keystone at ${target.url} answered ${what} with an unexpected body`);
  return { status: response.status, body: parsed.data };
};

/** The endpoints of a service type in a region, of the catalog of a token. */
export const catalogEndpoints = (catalog: Catalog, type: string, region: string) =>
  catalog.filter((s) => s.type === type).flatMap((s) => s.endpoints.filter((e) => (e.region_id ?? e.region) === region));

/** What every OpenStack client reads from OS_* (or --os-*): enough for a token and the catalog. */
export interface OpenStackAuth {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  regionName: string | undefined;
  interface: string;
}

/** OS_AUTH_URL names the v3 API (…/v3); requests here are made below the endpoint itself. */
const keystoneBase = (authUrl: string): string => authUrl.replace(/\/+$/u, "").replace(/\/v3$/u, "");

/** Logs in as the user and finds the image endpoint of the interface (and region) in the catalog. */
export const imageEndpoint = async (auth: OpenStackAuth): Promise<{ token: string; url: string }> => {
  const target = { url: keystoneBase(auth.authUrl) };
  const token = await passwordToken(target, {
    user: auth.username,
    userDomain: auth.userDomainName,
    password: auth.password,
    project: auth.projectName,
    projectDomain: auth.projectDomainName,
  });
  const candidates = token.catalog
    .filter((s) => s.type === "image")
    .flatMap((s) => s.endpoints)
    .filter((e) => e.interface === auth.interface && (auth.regionName === undefined || (e.region_id ?? e.region) === auth.regionName));
  const endpoint = candidates[0];
  if (endpoint === undefined)
    throw failureError("no-image-endpoint", `Keystone at ${target.url} lists no ${auth.interface} image endpoint${auth.regionName === undefined ? "" : ` in region ${auth.regionName}`}`, {
      hint: "check OS_REGION_NAME and OS_INTERFACE, or register Glance (glance-barclamp apply does)",
    });
  return { token: token.value, url: endpoint.url };
};
