/** Seeding what a plan lists: a Keystone token for the glance user when Keystone is on, then the seeder. */
import type { ImagesResource } from "../core/plan/types.js";
import { passwordToken } from "../keystone/client.js";
import { seedImages, type SeedOptions, type SeedResult } from "./seed.js";

export const seedPlanned = async (resource: ImagesResource, secrets: ReadonlyMap<string, string>, options: SeedOptions): Promise<SeedResult[]> => {
  const ks = resource.keystone;
  const token =
    ks === undefined
      ? undefined
      : (await passwordToken({ url: ks.url }, { user: ks.user, userDomain: ks.domain, password: secrets.get(ks.passwordSlot) ?? "", project: ks.project, projectDomain: ks.projectDomain })).value;
  return seedImages({ api: resource.api, apiVersion: resource.apiVersion, token, workingDirectory: resource.workingDirectory }, resource.images, options);
};

/** Whether the API answers /versions within `waitMs` (it was just started or restarted). */
export const apiAnswers = async (api: string, waitMs: number): Promise<boolean> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const response = await fetch(`${api}/versions`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) return true;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};
