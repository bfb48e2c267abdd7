/**
 * Every section and option of every rendered file is one its release reads: the catalogue of zed
 * comes from the real Glance's oslo-config-generator, diablo's from Glance 2011.3's code and configs
 * (src/core/releases/catalogues, each with the command that regenerates it).
 */
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan/types.js";
import { PERIODIC_JOBS } from "../../src/core/glance.js";
import { releaseModule, type Release } from "../../src/core/releases/index.js";
import type { Catalogue } from "../../src/core/releases/types.js";
import { files, planShipped } from "../helpers/plan.js";
import { readProposal, SHIPPED } from "../helpers/proposals.js";

const catalogue = (release: Release): Catalogue => releaseModule(release).catalogue();

/** Sections and options as written in a rendered INI file. */
const parseIni = (text: string): Map<string, string[]> => {
  const sections = new Map<string, string[]>();
  let current = "DEFAULT";
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const header = /^\[(.+)\]$/u.exec(line);
    if (header !== null) {
      current = header[1] as string;
      if (!sections.has(current)) sections.set(current, []);
      continue;
    }
    const key = line.split("=")[0]?.trim() ?? "";
    sections.set(current, [...(sections.get(current) ?? []), key]);
  }
  return sections;
};

/** Which catalogue file describes the config file at `path` (by the service it configures). */
const catalogueFileOf = (plan: Plan, proposalText: string, path: string): string => {
  const glance = (JSON.parse(proposalText) as { attributes: { glance: Record<string, { config_file?: string }> } }).attributes.glance;
  const configOf = (service: string): string => glance[service]?.config_file ?? `/etc/glance/glance-${service}.conf`;
  if (path.endsWith("/glance-swift.conf")) return "glance-swift.conf";
  for (const service of ["api", "registry", ...PERIODIC_JOBS]) {
    if (configOf(service) !== path) continue;
    if (plan.release === "zed" && ["reaper", "pruner", "prefetcher"].includes(service)) return "glance-cache.conf";
    return `glance-${service}.conf`;
  }
  throw new Error(`no service has config file ${path}`);
};

describe("option catalogue", () => {
  for (const { proposal, inventory } of SHIPPED) {
    for (const release of ["diablo", "zed"] as const) {
      it(`${proposal} on ${release} uses only options ${release} reads`, () => {
        const known = catalogue(release);
        const plan = planShipped(proposal, inventory, release);
        const configs = files(plan).filter((f) => f.role === "config");
        expect(configs.length).toBeGreaterThanOrEqual(release === "diablo" ? 6 : 5);
        for (const file of configs) {
          const entry = known.files[catalogueFileOf(plan, readProposal(proposal), file.path)];
          expect(entry, file.path).toBeDefined();
          const ini = parseIni(file.content);
          const backends = new Map(
            (ini.get("DEFAULT") ?? []).includes("enabled_backends")
              ? [...file.content.matchAll(/^enabled_backends = (.+)$/gmu)].flatMap((m) =>
                  (m[1] as string).split(",").map((pair) => pair.split(":") as [string, string]),
                )
              : [],
          );
          backends.set("os_glance_staging_store", "file").set("os_glance_tasks_store", "file");
          for (const [section, options] of ini) {
            const allowed = entry?.sections[section] ?? entry?.sections["*"] ?? known.backend_types[backends.get(section) ?? ""];
            expect(allowed, `${file.path}: section [${section}]`).toBeDefined();
            for (const option of options) {
              expect(allowed, `${file.path}: [${section}] ${option}`).toContain(option);
              expect(entry?.deprecated[section] ?? [], `${file.path}: [${section}] ${option} is deprecated`).not.toContain(option);
            }
          }
        }
      });
    }
  }
});
