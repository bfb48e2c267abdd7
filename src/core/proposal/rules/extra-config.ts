/**
 * extra_config against the release's option catalogue: the section and option must be ones the
 * service's file is read for (the nearest known name otherwise), the value of the option's type
 * (integer and port bounds, booleans, floats, choices), a secret option only by reference, an
 * option the proposal already sets refused with the field to use, deprecated names warned with
 * their replacement.
 */
import { SERVICES, type ServiceName } from "../../glance.js";
import { releaseModule } from "../../releases/index.js";
import type { Catalogue, OptionType, ReleaseModule } from "../../releases/types.js";
import { isSecretReference } from "../fields.js";
import type { Finding } from "../resolve.js";
import { nearest } from "../schema-walk.js";
import { G, type Check, type Rule } from "./types.js";

type Value = string | number | boolean | { env: string } | { file: string };

/** The backend sections of the multi-store form are named after the store in use (enabled_backends = NAME:TYPE). */
const backendSection = (catalogue: Catalogue, store: string, section: string): Record<string, OptionType> | undefined =>
  section === store ? catalogue.backend_option_types?.[store] : undefined;

const typeError = (type: OptionType, value: Value): string | undefined => {
  if (isSecretReference(value)) return undefined;
  const numeric = (integer: boolean): string | undefined => {
    if (typeof value !== "number" || (integer && !Number.isInteger(value))) return `must be ${integer ? "a whole number" : "a number"}`;
    if (type.min !== undefined && value < type.min) return `must be at least ${type.min}`;
    if (type.max !== undefined && value > type.max) return `must be at most ${type.max}`;
    return undefined;
  };
  switch (type.t) {
    case "int":
      return numeric(true);
    case "port":
      return numeric(true) ?? (typeof value === "number" && (value < 0 || value > 65535) ? "must be a TCP port (0-65535)" : undefined);
    case "float":
      return numeric(false);
    case "bool":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "list":
    case "str":
      if (typeof value === "boolean" || typeof value === "object") return "must be text";
      if (type.choices !== undefined && type.choices.length > 0 && !type.choices.map(String).includes(String(value)))
        return `must be one of ${type.choices.map((c) => JSON.stringify(c)).join(", ")}`;
      return undefined;
  }
};

const PASTE_KEYS = new Set(["pipeline", "paste.app_factory", "paste.filter_factory"]);

const checkService = (module: ReleaseModule, store: string, service: ServiceName, extra: Record<string, Record<string, Value>>): Finding[] => {
  const findings: Finding[] = [];
  const file = module.catalogueFiles[service];
  const at = (...path: string[]) => [...G, service, "extra_config", ...path];
  if (file === undefined) return findings;
  const catalogue = module.catalogue();
  const entry = catalogue.files[file];
  if (entry === undefined) return findings;
  const setBy = module.setBy[file] ?? {};
  for (const [section, options] of Object.entries(extra)) {
    const known = entry.types[section] ?? backendSection(catalogue, store, section);
    const renamedHere = entry.renamed[section] ?? {};
    if (known === undefined && Object.keys(renamedHere).length === 0) {
      const suggestion = nearest(section, [...Object.keys(entry.types), store]);
      findings.push({
        path: at(section),
        severity: "error",
        code: "extra-unknown-section",
        message: `${module.name}'s ${file} has no section [${section}]`,
        hint: suggestion === undefined ? `see the ${module.name} option catalogue` : `did you mean [${suggestion}]?`,
      });
      continue;
    }
    for (const [option, value] of Object.entries(options)) {
      const path = at(section, option);
      const renamed = renamedHere[option];
      // A deprecated name of an option glance-barclamp writes is that option all the same.
      const [targetSection, targetOption] = renamed ?? [section, option];
      const field =
        setBy[targetSection]?.[targetOption] ??
        setBy[targetSection]?.["*"] ??
        (PASTE_KEYS.has(option) && /^(?:app|filter|pipeline):/u.test(section) ? "glance-barclamp's paste pipeline" : undefined);
      if (field !== undefined) {
        findings.push({
          path,
          severity: "error",
          code: "extra-set-by-proposal",
          message: `[${section}] ${option} is written by glance-barclamp from ${field.replaceAll("{service}", service)}`,
          hint: field.includes(" ") ? "set it there, not in extra_config" : `set attributes.glance.${field.replaceAll("{service}", service)} instead`,
        });
        continue;
      }
      const refused = module.refusedOptions[targetSection]?.[targetOption];
      if (refused !== undefined) {
        findings.push({
          path,
          severity: "error",
          code: "extra-refused",
          message: `[${section}] ${option} is not supported: ${refused}`,
          hint: "remove it; the proposal's store settings are the ones deployed",
        });
        continue;
      }
      const type = known?.[option] ?? (renamed === undefined ? undefined : entry.types[renamed[0]]?.[renamed[1]]);
      if (type === undefined) {
        const elsewhere = Object.entries(entry.types).find(([, opts]) => option in opts)?.[0];
        const suggestion = nearest(option, Object.keys(known ?? {}));
        findings.push({
          path,
          severity: "error",
          code: "extra-unknown-option",
          message: `${module.name}'s ${file} reads no option ${option} in [${section}]`,
          hint: elsewhere !== undefined ? `it is read in [${elsewhere}]` : suggestion !== undefined ? `did you mean ${suggestion}?` : `see the ${module.name} option catalogue`,
        });
        continue;
      }
      if (type.secret === true && !isSecretReference(value)) {
        findings.push({
          path,
          severity: "error",
          code: "extra-secret-inline",
          message: `[${section}] ${option} is a secret: it is given only by reference, so that no output shows it`,
          hint: 'write {"env": "NAME"} or {"file": "/path"} and keep the value there',
        });
        continue;
      }
      const wrong = typeError(type, value);
      if (wrong !== undefined) {
        findings.push({ path, severity: "error", code: "extra-bad-value", message: `[${section}] ${option} ${wrong}`, hint: `the ${module.name} catalogue types it as ${type.t}` });
        continue;
      }
      if (renamed !== undefined)
        findings.push({ path, severity: "warning", code: "extra-deprecated", message: `[${section}] ${option} is deprecated in ${module.name}`, hint: `use [${renamed[0]}] ${renamed[1]}` });
      else if (type.removal === true)
        findings.push({ path, severity: "warning", code: "extra-deprecated", message: `[${section}] ${option} is deprecated for removal in ${module.name}`, hint: "check the release notes before relying on it" });
    }
  }
  return findings;
};

const extraConfigKnown: Check = ({ proposal }) => {
  const g = proposal.attributes.glance;
  const module = releaseModule(g.release);
  return SERVICES.flatMap((service) => {
    const extra = g[service].extra_config;
    return extra === undefined ? [] : checkService(module, g.default_store, service, extra);
  });
};

export const EXTRA_CONFIG_RULES: readonly Rule[] = [
  { reads: [[...G, "release"], [...G, "default_store"], ...SERVICES.map((s) => [...G, s, "extra_config"])], check: extraConfigKnown },
];
