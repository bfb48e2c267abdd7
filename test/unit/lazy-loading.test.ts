/**
 * Commands load only what they need. The bundle holds every module, but esbuild evaluates a module
 * reached through a dynamic import only when that import runs, so what a command evaluates is what
 * its module reaches through static imports: read here from the bundle's metafile. Deterministic,
 * unlike a timed test; the timings themselves are in bench/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, REPO } from "../helpers/paths.js";

interface Meta {
  inputs: Record<string, { imports: Array<{ path: string; kind: string; external?: boolean }> }>;
}

const meta = (): Meta => JSON.parse(readFileSync(join(REPO, "dist/lib/meta.json"), "utf8")) as Meta;

/** Every module (and external package) evaluated once `source` is, following static imports only. */
const loadedWith = (source: string): Set<string> => {
  const { inputs } = meta();
  if (inputs[source] === undefined) throw new Error(`the bundle holds no ${source}`);
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of inputs[path]?.imports ?? []) {
      if (imported.kind !== "import-statement" && imported.kind !== "require-call") continue;
      if (imported.external === true) loaded.add(`external:${imported.path}`);
      else visit(imported.path);
    }
  };
  visit(source);
  // The entry (commander, main) is always evaluated too.
  visit("src/cli/main.ts");
  return loaded;
};

const has = (loaded: Set<string>, fragment: string): boolean => [...loaded].some((path) => path.includes(fragment));

describe("lazy loading", () => {
  it("the graph is read right: dynamic imports are not followed, static ones are", () => {
    const program = meta().inputs["src/cli/program.ts"];
    expect(program?.imports.some((i) => i.kind === "dynamic-import" && i.path === "src/cli/commands/validate.ts")).toBe(true);
    expect(has(loadedWith("src/cli/program.ts"), "src/cli/commands/validate.ts")).toBe(false);
    expect(has(loadedWith("src/cli/commands/validate.ts"), "node_modules/zod/")).toBe(true);
  });

  it("validate loads no database driver, no template engine, no logger", () => {
    const loaded = loadedWith("src/cli/commands/validate.ts");
    for (const heavy of ["better-sqlite3", "mysql2", "node_modules/handlebars/", "node_modules/pino/"]) expect(has(loaded, heavy), heavy).toBe(false);
  });

  it("index loads neither zod nor handlebars, and no driver until a database is opened", () => {
    const loaded = loadedWith("src/cli/commands/index.ts");
    for (const heavy of ["node_modules/zod/", "node_modules/handlebars/", "better-sqlite3", "mysql2"]) expect(has(loaded, heavy), heavy).toBe(false);
  });

  it("start-up loads commander and nothing else of note", () => {
    const loaded = [...loadedWith("src/cli/main.ts")];
    expect(loaded.some((i) => i.includes("node_modules/commander/"))).toBe(true);
    expect(loaded.filter((i) => i.includes("node_modules/") && !i.includes("node_modules/commander/"))).toEqual([]);
  });

  it("templates reach the runtime precompiled: only Handlebars' runtime is bundled", () => {
    const inputs = Object.keys(meta().inputs);
    expect(inputs.some((i) => i.includes("node_modules/handlebars/dist/cjs/handlebars.runtime.js"))).toBe(true);
    expect(inputs.some((i) => i.includes("node_modules/handlebars/dist/cjs/handlebars/compiler/"))).toBe(false);
  });

  it("the build made a V8 code cache that this Node accepts, for the CLI and for the MySQL driver", () => {
    expect(existsSync(join(REPO, "dist/lib/glance-barclamp.cjs.cache"))).toBe(true);
    expect(existsSync(join(REPO, "dist/lib/mysql2.cjs.cache"))).toBe(true);
    const probe = (expression: string) => spawnSync(process.execPath, ["-e", `const cli = require(${JSON.stringify(CLI)}); process.stdout.write(String(${expression}))`], { encoding: "utf8" });
    for (const expression of ["cli.loadBundle().script.cachedDataRejected", "cli.loadCompiled(cli.DRIVER).script.cachedDataRejected"]) {
      const result = probe(expression);
      expect(result.stderr).toBe("");
      expect(result.stdout, expression).toBe("false");
    }
    // Without its cache a file is compiled as usual: the probe says so (undefined), it can fail.
    expect(probe("cli.loadCompiled(cli.DRIVER, { cache: false }).script.cachedDataRejected").stdout).toBe("undefined");
  });

  it("mysql2 reaches the bundle only through the driver chunk, evaluated when a MySQL database is opened", () => {
    const inputs = meta().inputs;
    expect(Object.keys(inputs).filter((i) => i.includes("node_modules/mysql2/"))).toEqual([]);
    const chunk = inputs["driver-chunk:mysql2"];
    expect(chunk?.imports.map((i) => i.path)).toEqual(["src/compiled-chunk.ts", "node:path"]);
    expect(has(loadedWith("src/db/database.ts"), "driver-chunk:mysql2")).toBe(false);
  });
});
