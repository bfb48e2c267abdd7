// Regenerates src/core/releases/catalogues/diablo.json, in the format of zed.json, from the option
// catalogue of Glance 2011.3 (its shipped configs plus the options its code reads) and, for each
// option's type, its detailed form, both kept beside the checkout in ../shared/reference/glance-options/:
//     node scripts/generate-diablo-catalogue.mjs > src/core/releases/catalogues/diablo.json
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../../shared/reference/glance-options/diablo.json", import.meta.url));
const reference = JSON.parse(readFileSync(source, "utf8"));
const detailed = JSON.parse(readFileSync(new URL("../../shared/reference/glance-options/diablo-detailed.json", import.meta.url), "utf8"));
// 2011.3 parses booleans as value.lower() == "true", numbers with int() and float(); the rest is text.
const TYPES = { bool: "bool", int: "int", float: "float" };
const typesOf = (file, sections) =>
  Object.fromEntries(
    Object.entries(sections).map(([section, options]) => [
      section,
      Object.fromEntries([...options].sort().map((option) => [option, { t: TYPES[detailed[file]?.[section]?.[option]?.type] ?? "str" }])),
    ]),
  );
const files = {};
for (const [file, sections] of Object.entries(reference.files)) {
  files[file] = {
    sections: Object.fromEntries(Object.entries(sections).map(([name, options]) => [name, [...options].sort()])),
    deprecated: {},
    types: typesOf(file, sections),
    renamed: {},
  };
}
const catalogue = {
  backend_types: {},
  files,
  generated_by: "node scripts/generate-diablo-catalogue.mjs > src/core/releases/catalogues/diablo.json",
  glance_version: reference.glance_version,
  paste_factories: reference.paste_factories,
  release: "diablo",
  source: reference.source,
};
process.stdout.write(`${JSON.stringify(catalogue, null, 1)}\n`);
