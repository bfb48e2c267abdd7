/**
 * What the chosen release can do with the proposal: ports for each of its listeners, settings of a
 * service it does not have, images it does not upload, then the release's own compatibility rules.
 */
import { hasService } from "../../releases/types.js";
import { RELEASE_MODULES, releaseModule } from "../../releases/index.js";
import type { Finding } from "../resolve.js";
import { G, type Check, type Rule } from "./types.js";

const portsDiffer: Check = ({ proposal, spelledOut }) => {
  const { api, registry, release } = proposal.attributes.glance;
  if (!hasService(releaseModule(release), "registry") || api.bind_port !== registry.bind_port) return [];
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

const registryIgnored: Check = ({ proposal, spelledOut }) => {
  const release = proposal.attributes.glance.release;
  if (hasService(releaseModule(release), "registry") || !spelledOut([...G, "registry"])) return [];
  const withRegistry = RELEASE_MODULES.filter((m) => hasService(m, "registry")).map((m) => m.name);
  return [
    {
      path: [...G, "registry"],
      severity: "warning",
      code: "registry-ignored",
      message: `the registry no longer exists in ${release}: its settings have no effect`,
      hint: `remove the registry block${withRegistry.length > 0 ? `, or use release ${withRegistry.join(" or ")}` : ""}`,
    },
  ];
};

const imagesListed: Check = ({ proposal }) => {
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
  return findings;
};

/** The chosen release's own rules; they run only when the release itself was accepted. */
const releaseRules: Check = (context) =>
  releaseModule(context.proposal.attributes.glance.release).rules.flatMap((rule) => rule.check(context));

export const RELEASE_RULES: readonly Rule[] = [
  { reads: [[...G, "release"], [...G, "api", "bind_port"], [...G, "registry", "bind_port"]], check: portsDiffer },
  { reads: [[...G, "release"], [...G, "registry"]], check: registryIgnored },
  { reads: [[...G, "images"]], check: imagesListed },
  { reads: [[...G, "release"], ...RELEASE_MODULES.flatMap((m) => m.rules.flatMap((r) => r.reads))], check: releaseRules },
];
