/**
 * Commands load only what they need: read from esbuild's metafile of the bundle, following only
 * static imports from each command's chunk (dynamic imports load on demand). Deterministic, unlike
 * a timed test; the timings themselves are in bench/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/paths.js";

interface Meta {
  outputs: Record<string, { imports: Array<{ path: string; kind: string; external?: boolean }>; inputs: Record<string, unknown>; entryPoint?: string }>;
}

const meta = (): Meta => JSON.parse(readFileSync(join(REPO, "dist/bin/meta.json"), "utf8")) as Meta;

/** Every input and external module loaded, statically, with the chunk that holds `source`. */
const loadedWith = (source: string): Set<string> => {
  const { outputs } = meta();
  const start = Object.keys(outputs).find((out) => Object.keys(outputs[out]?.inputs ?? {}).includes(source));
  if (start === undefined) throw new Error(`no chunk holds ${source}`);
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const visit = (out: string): void => {
    if (seen.has(out)) return;
    seen.add(out);
    const output = outputs[out];
    if (output === undefined) return;
    for (const input of Object.keys(output.inputs)) loaded.add(input);
    for (const imported of output.imports) {
      if (imported.kind !== "import-statement") continue;
      if (imported.external === true) loaded.add(`external:${imported.path}`);
      else visit(imported.path);
    }
  };
  visit(start);
  // The entry chunk (commander, main) is always loaded too.
  for (const [out, output] of Object.entries(outputs)) if (output.entryPoint === "src/cli/main.ts") visit(out);
  return loaded;
};

const has = (loaded: Set<string>, fragment: string): boolean => [...loaded].some((path) => path.includes(fragment));

describe("lazy loading", () => {
  it("validate loads no database driver, no template engine, no logger", () => {
    const loaded = loadedWith("src/cli/validate-command.ts");
    expect(has(loaded, "node_modules/zod/")).toBe(true);
    for (const heavy of ["better-sqlite3", "mysql2", "node_modules/handlebars/", "node_modules/pino/"]) expect(has(loaded, heavy), heavy).toBe(false);
  });

  it("index loads neither zod nor handlebars", () => {
    const loaded = loadedWith("src/cli/index-command.ts");
    for (const heavy of ["node_modules/zod/", "node_modules/handlebars/", "better-sqlite3", "mysql2"]) expect(has(loaded, heavy), heavy).toBe(false);
  });

  it("the read-ahead worker loads the SQLite driver and neither the CLI, zod nor handlebars", () => {
    const { outputs } = meta();
    const entry = Object.keys(outputs).find((out) => outputs[out]?.entryPoint === "src/db/read-ahead-worker.ts");
    expect(entry).toBeDefined();
    const loaded = new Set<string>();
    const visit = (out: string): void => {
      const output = outputs[out];
      if (output === undefined) return;
      for (const input of Object.keys(output.inputs)) loaded.add(input);
      for (const imported of output.imports) if (imported.kind === "import-statement") imported.external === true ? loaded.add(`external:${imported.path}`) : visit(imported.path);
    };
    visit(entry ?? "");
    expect(has(loaded, "src/db/images.ts")).toBe(true);
    for (const heavy of ["node_modules/zod/", "node_modules/handlebars/", "node_modules/commander/", "mysql2"]) expect(has(loaded, heavy), heavy).toBe(false);
  });

  it("start-up loads commander and nothing else of note", () => {
    const { outputs } = meta();
    const entry = Object.values(outputs).find((o) => o.entryPoint === "src/cli/main.ts");
    const inputs = Object.keys(entry?.inputs ?? {});
    expect(inputs.some((i) => i.includes("node_modules/commander/"))).toBe(true);
    expect(inputs.filter((i) => i.includes("node_modules/") && !i.includes("node_modules/commander/"))).toEqual([]);
  });

  it("templates reach the runtime precompiled: only Handlebars' runtime is bundled", () => {
    const inputs = Object.values(meta().outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs.some((i) => i.includes("node_modules/handlebars/dist/cjs/handlebars.runtime.js"))).toBe(true);
    expect(inputs.some((i) => i.includes("node_modules/handlebars/dist/cjs/handlebars/compiler/"))).toBe(false);
  });
});
