/**
 * What verify asks Keystone: a token for the glance user (this proves auth_url, the user, its
 * password and project), and in that token's catalog the image endpoints and the internal identity
 * endpoint of the region (keystonemiddleware needs the latter; a wrong region makes every request
 * with a token fail).
 */
import type { KeystoneResource } from "../core/plan/types.js";
import { isBarclampError } from "../errors.js";
import { catalogEndpoints, tryPasswordToken } from "../keystone/client.js";
import type { CheckResult } from "./verify.js";

export const keystoneChecks = async (resource: KeystoneResource, password: string): Promise<{ results: CheckResult[]; token: string | undefined }> => {
  const user = resource.serviceUser;
  let token;
  try {
    token = await tryPasswordToken({ url: resource.url }, { user: user.name, userDomain: user.domain, password, project: user.project, projectDomain: user.projectDomain });
  } catch (error) {
    if (!isBarclampError(error)) throw error;
    return { results: [{ check: "keystone token", outcome: "fail", detail: error.message }], token: undefined };
  }
  if ("status" in token)
    return {
      results: [
        {
          check: "keystone token",
          outcome: "fail",
          detail: `Keystone at ${resource.url} refused ${user.name} in project ${user.project} (${token.status})${token.status === 401 ? ": its password in Keystone is not the inventory's" : ""}`,
        },
      ],
      token: undefined,
    };
  const results: CheckResult[] = [{ check: "keystone token", outcome: "pass", detail: `${resource.url}: ${user.name} in project ${user.project}` }];
  const identity = catalogEndpoints(token.catalog, "identity", resource.region).filter((e) => e.interface === "internal");
  const image = catalogEndpoints(token.catalog, "image", resource.region);
  const regions = [...new Set(token.catalog.flatMap((s) => s.endpoints.map((e) => e.region_id ?? e.region ?? "")))].filter((r) => r !== "");
  const missing = ["public", "internal"].filter((i) => !image.some((e) => e.interface === i));
  if (identity.length === 0)
    results.push({ check: "keystone catalog", outcome: "fail", detail: `no internal identity endpoint in region ${resource.region} (the catalog has ${regions.join(", ") || "no region"}): glance-api fails every request with a token` });
  else if (missing.length > 0)
    results.push({ check: "keystone catalog", outcome: "fail", detail: `no ${missing.join(" or ")} image endpoint in region ${resource.region}: run apply on ${resource.runsHere ? "this node" : "the first glance-server"} to register Glance` });
  else results.push({ check: "keystone catalog", outcome: "pass", detail: `image endpoints in ${resource.region}: ${image.map((e) => `${e.interface} ${e.url}`).join(", ")}` });
  return { results, token: token.value };
};
