/**
 * verify's store check: the store Glance was given works. glance-api starts whatever the store's
 * state, and only uploads fail (HTTP 500), so this talks to the store itself: for Swift a token
 * with the configured credentials and a HEAD on the container; for the file store, the directory
 * exists and the glance user can write it. Nothing is created (no container, no object).
 */
import { describeFetchError } from "../fetch-error.js";
import type { FileStoreAccess, SwiftAccess } from "../core/swift-access.js";
import { asUser } from "../engine/host.js";
import type { Host } from "../engine/types.js";
import type { CheckResult } from "./verify.js";

const TIMEOUT_MS = 10_000;

const fail = (detail: string): CheckResult => ({ check: "store", outcome: "fail", detail });

const request = async (url: string, init: RequestInit): Promise<Response | string> => {
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    return describeFetchError(error);
  }
};

/** v1 auth (tempauth, swauth): GET the auth URL with the user and key; the answer names the account's storage URL. */
const v1Token = async (access: SwiftAccess, key: string): Promise<{ token: string; storage: string } | string> => {
  const answer = await request(access.authAddress, { headers: { "x-auth-user": access.user, "x-auth-key": key } });
  if (typeof answer === "string") return `${access.authAddress}: ${answer}`;
  await answer.arrayBuffer();
  if (answer.status === 401 || answer.status === 403) return `${access.authAddress} refused the credentials of ${access.user} (${answer.status}): check swift_store_user and swift_store_key`;
  const token = answer.headers.get("x-auth-token");
  const storage = answer.headers.get("x-storage-url");
  if (answer.status >= 300 || token === null || storage === null) return `${access.authAddress} answered ${answer.status} without a token and storage URL: is it a Swift v1 auth URL?`;
  return { token, storage };
};

const CatalogAnswer = async (response: Response): Promise<Array<{ type: string; endpoints: Array<{ interface: string; region_id?: string | null; region?: string | null; url: string }> }> | undefined> => {
  const { CatalogSchema } = await import("../keystone/client.js");
  const body = (await response.json().catch(() => undefined)) as { token?: { catalog?: unknown } } | undefined;
  const parsed = CatalogSchema.safeParse(body?.token?.catalog);
  return parsed.success ? parsed.data : undefined;
};

/** Keystone v3: a project-scoped token for project:user, then the object-store endpoint of its catalog. */
const v3Token = async (access: SwiftAccess, key: string): Promise<{ token: string; storage: string } | string> => {
  const [project, user] = access.user.split(":") as [string, string];
  const base = access.authAddress.replace(/\/+$/u, "");
  const url = `${base.endsWith("/v3") ? base : `${base}/v3`}/auth/tokens`;
  const answer = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: user, domain: { name: access.userDomain }, password: key } } },
        scope: { project: { name: project, domain: { name: access.projectDomain } } },
      },
    }),
  });
  if (typeof answer === "string") return `${url}: ${answer}`;
  if (answer.status === 401 || answer.status === 403) {
    await answer.arrayBuffer();
    return `${url} refused ${access.user} (${answer.status}): check the Swift user, key and domains`;
  }
  const token = answer.headers.get("x-subject-token");
  const catalog = await CatalogAnswer(answer);
  if (answer.status !== 201 || token === null || catalog === undefined) return `${url} answered ${answer.status} without a usable token`;
  const endpoint = catalog
    .filter((s) => s.type === "object-store")
    .flatMap((s) => s.endpoints)
    .find((e) => e.interface === access.interface && (access.region === "" || (e.region_id ?? e.region) === access.region));
  if (endpoint === undefined)
    return `Keystone's catalog has no ${access.interface} object-store endpoint${access.region === "" ? "" : ` in region ${access.region}`}: check swift_store_region and swift_store_endpoint_type`;
  return { token, storage: endpoint.url.replace(/\/+$/u, "") };
};

export const swiftCheck = async (access: SwiftAccess, key: string): Promise<CheckResult> => {
  if (access.authVersion === "2") return { check: "store", outcome: "skip", detail: "Keystone v2 auth is not checked (Keystone removed that API in 2018)" };
  const login = access.authVersion === "1" ? await v1Token(access, key) : await v3Token(access, key);
  if (typeof login === "string") return fail(`Swift: ${login}`);
  const containerUrl = `${login.storage}/${encodeURIComponent(access.container)}`;
  const head = await request(containerUrl, { method: "HEAD", headers: { "x-auth-token": login.token } });
  if (typeof head === "string") return fail(`Swift: ${containerUrl}: ${head}`);
  if (head.status === 204 || head.status === 200) return { check: "store", outcome: "pass", detail: `Swift container ${access.container} at ${login.storage}` };
  if (head.status === 404)
    return access.createOnPut
      ? { check: "store", outcome: "pass", detail: `Swift at ${login.storage} (the container ${access.container} is created on the first upload)` }
      : fail(`Swift: the container ${access.container} does not exist at ${login.storage} and swift_store_create_container_on_put is false: create it, or turn that on`);
  return fail(`Swift: HEAD ${containerUrl} answered ${head.status}`);
};

/** The directory exists, and the glance user (when there is one) can write it: run as glance, like the service. */
export const fileStoreCheck = async (access: FileStoreAccess, path: string, host: Host, asGlance: boolean): Promise<CheckResult> => {
  const test = ["test", "-d", path, "-a", "-w", path];
  const argv = asGlance ? asUser("glance", test) : test;
  const result = await host.run(argv, 10_000);
  return result.code === 0
    ? { check: "store", outcome: "pass", detail: `${access.path} is a directory ${asGlance ? "the glance user" : "this user"} can write` }
    : fail(`${access.path} is missing or not writable by ${asGlance ? "the glance user" : "this user"}`);
};
