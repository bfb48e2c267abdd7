/** The images to seed: what the proposal lists, where the API answers, how to get a token. */
import { glanceServers } from "../../proposal/elements.js";
import { imageEntries, PLACEHOLDER } from "../../proposal/images.js";
import type { Proposal } from "../../proposal/schema.js";
import type { ReleaseModule } from "../../releases/types.js";
import { reachable } from "../addresses.js";
import type { ImagesResource, KeystoneResource } from "../types.js";


export const imagesResource = (
  proposal: Proposal,
  module: ReleaseModule,
  node: string,
  apiAddress: string,
  registration: KeystoneResource | undefined,
): ImagesResource | undefined => {
  const g = proposal.attributes.glance;
  const entries = imageEntries(g);
  if (entries.length === 0) return undefined;
  const servers = glanceServers(proposal);
  const runsHere = servers.length === 0 || servers[0] === node;
  const images = entries.filter((e) => !e.url.includes(PLACEHOLDER));
  const skipped = entries.filter((e) => e.url.includes(PLACEHOLDER)).map((e) => e.url);
  const user = registration?.serviceUser;
  return {
    kind: "images",
    id: "images:seed",
    phase: "images",
    api: `http://${reachable(apiAddress)}:${g.api.bind_port}`,
    apiVersion: module.imageApiVersion,
    images,
    skipped,
    workingDirectory: g.working_directory,
    ...(registration === undefined || user === undefined
      ? {}
      : { keystone: { url: registration.url, user: user.name, domain: user.domain, project: user.project, projectDomain: user.projectDomain, passwordSlot: user.passwordSlot } }),
    runsHere,
    description: runsHere ? `seed ${images.length} image entr${images.length === 1 ? "y" : "ies"}${skipped.length > 0 ? ` (${skipped.length} skipped: ${PLACEHOLDER})` : ""}` : `images are seeded from ${servers[0]}`,
  };
};
