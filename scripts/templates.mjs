// Precompiles a folder of Handlebars templates (*.hbs, in subfolders per release) the way the
// runtime expects them: strict (a missing value is an error), no HTML escaping, known helpers only.
// Used by build-templates.mjs, and by the test that adds a throwaway release from a fixture.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import Handlebars from "handlebars";

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith(".hbs") ? [join(dir, entry.name)] : [],
  );

/** Template name (path below `dir`, without .hbs) → precompiled spec as JavaScript source. */
export const precompileTemplates = (dir) =>
  Object.fromEntries(
    walk(dir)
      .sort()
      .map((file) => [
        relative(dir, file).split(sep).join("/").replace(/\.hbs$/u, ""),
        Handlebars.precompile(readFileSync(file, "utf8"), {
          strict: true,
          noEscape: true,
          knownHelpersOnly: true,
          knownHelpers: { if: true, unless: true, each: true, with: true },
        }),
      ]),
  );
