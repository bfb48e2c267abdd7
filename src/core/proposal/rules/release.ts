/**
 * What the chosen release can do with the proposal: ports for each of its listeners, settings of a
 * service it does not have, images it does not upload, then the release's own compatibility rules.
 */
import { hasService } from "../../releases/types.js";
import { RELEASE_MODULES, releaseModule } from "../../releases/index.js";
import { imageEntries, isBundle, PLACEHOLDER, urlProblem } from "../images.js";
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

/** Images are downloaded over http or https only; the 2011 template's <ADMINWEB> placeholder is skipped. */
const imagesListed: Check = ({ proposal }) => {
  const findings: Finding[] = [];
  imageEntries(proposal.attributes.glance).forEach((image, index) => {
    const path = [...G, "images", index, ...(typeof proposal.attributes.glance.images[index] === "string" ? [] : ["url"])];
    if (image.url.includes(PLACEHOLDER)) {
      findings.push({ path, severity: "warning", code: "image-placeholder", message: `${image.url} holds Crowbar's ${PLACEHOLDER} placeholder: this image is skipped`, hint: "replace the placeholder with the server that holds the image" });
      return;
    }
    const problem = urlProblem(image.url);
    if (problem !== undefined) findings.push({ path, severity: "error", code: "image-url", message: `the image URL ${problem}`, hint: "give an http or https URL" });
    if ((image.os_hash_algo === undefined) !== (image.os_hash_value === undefined))
      findings.push({ path: [...G, "images", index], severity: "error", code: "image-hash", message: "os_hash_algo and os_hash_value go together", hint: "give both, or neither" });
    if (isBundle(image.url) && (image.disk_format !== undefined || image.container_format !== undefined))
      findings.push({ path: [...G, "images", index], severity: "error", code: "image-bundle-format", message: "an AMI bundle's three images are aki, ari and ami: their formats are not chosen", hint: "remove disk_format and container_format" });
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
