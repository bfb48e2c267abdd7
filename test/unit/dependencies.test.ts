/**
 * The dependency rules of the layout, read from the bundle's metafile: what each module really
 * loads at run time (type-only imports are erased and cost nothing), followed transitively into
 * packages, so that a pure-looking dependency that loads child_process is caught too.
 * - the core (src/core) reaches only the core, src/errors.ts, and packages that touch nothing
 *   outside the process (zod, Handlebars' runtime, jsonc-parser), and no built-in but node:path;
 * - the releases never reach the planner;
 * - the engine never reaches the use cases, the CLI or the planner's builder;
 * - commands never import each other;
 * - src/ has no import cycle;
 * - no source outside src/core/releases names a release.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { RELEASE_MODULES } from "../../src/core/releases/index.js";
import { REPO } from "../helpers/paths.js";

interface Input {
  imports: Array<{ path: string; kind: string; external?: boolean }>;
}
type Inputs = Record<string, Input>;

const META = (): Inputs => (JSON.parse(readFileSync(join(REPO, "dist/lib/meta.json"), "utf8")) as { inputs: Inputs }).inputs;

const packageOf = (path: string): string | undefined => {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//u.exec(path);
  return match?.[1];
};

/** Everything `from` loads, through every kind of import (static, require, dynamic). */
const reachable = (inputs: Inputs, from: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of inputs[path]?.imports ?? []) {
      if (imported.external === true) seen.add(`external:${imported.path}`);
      else visit(imported.path);
    }
  };
  visit(from);
  seen.delete(from);
  return seen;
};

const CORE_PACKAGES = new Set(["zod", "handlebars", "jsonc-parser"]);
const CORE_BUILTINS = new Set(["external:node:path"]);

/** Every rule broken by the graph, one line each. */
export const violations = (inputs: Inputs): string[] => {
  const found: string[] = [];
  const sources = Object.keys(inputs).filter((p) => p.startsWith("src/"));
  for (const source of sources) {
    const loads = [...reachable(inputs, source)];
    if (source.startsWith("src/core/"))
      for (const target of loads) {
        const pkg = packageOf(target);
        const allowed =
          target.startsWith("src/core/") ||
          target === "src/errors.ts" ||
          (pkg !== undefined && CORE_PACKAGES.has(pkg)) ||
          CORE_BUILTINS.has(target) ||
          // Packages' own internals, reached through an allowed package, are judged by what they load.
          (pkg === undefined && !target.startsWith("src/") && !target.startsWith("external:"));
        if (!allowed) found.push(`${source} (core) loads ${target}`);
      }
    if (source.startsWith("src/core/releases/"))
      for (const target of loads) if (target.startsWith("src/core/plan/")) found.push(`${source} (a release) loads the planner: ${target}`);
    if (source.startsWith("src/engine/"))
      for (const target of loads)
        if (target.startsWith("src/cli/") || target.startsWith("src/app/") || target === "src/core/plan/build-plan.ts")
          found.push(`${source} (engine) loads ${target}`);
    if (source.startsWith("src/cli/commands/"))
      for (const target of loads) if (target.startsWith("src/cli/commands/")) found.push(`${source} (a command) loads another command: ${target}`);
  }
  if (inputs["src/errors.ts"] !== undefined && inputs["src/errors.ts"].imports.length > 0) found.push("src/errors.ts imports something");
  found.push(...cycles(inputs).map((cycle) => `import cycle: ${cycle.join(" → ")}`));
  return found;
};

/** Cycles among src/ modules (depth-first search, one cycle reported per back edge). */
const cycles = (inputs: Inputs): string[][] => {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (path: string): void => {
    state.set(path, "open");
    stack.push(path);
    for (const imported of inputs[path]?.imports ?? []) {
      if (imported.external === true || !imported.path.startsWith("src/")) continue;
      const seen = state.get(imported.path);
      if (seen === "open") found.push([...stack.slice(stack.indexOf(imported.path)), imported.path]);
      else if (seen === undefined) visit(imported.path);
    }
    stack.pop();
    state.set(path, "done");
  };
  for (const path of Object.keys(inputs)) if (path.startsWith("src/") && !state.has(path)) visit(path);
  return found;
};

describe("dependency rules", () => {
  it("the bundle holds every source file, so no module escapes the rules", () => {
    const inputs = META();
    const files = readdirSync(join(REPO, "src"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => relative(REPO, join(e.parentPath, e.name)))
      .filter((f) => f !== "src/cli/launcher.ts")
      // A module of types alone is erased from the bundle: it loads nothing at run time.
      .filter((f) => /^export (?:const|class|function|async function) /mu.test(readFileSync(join(REPO, f), "utf8")));
    expect(files.filter((f) => inputs[f] === undefined)).toEqual([]);
  });

  it("hold for the real bundle", () => {
    expect(violations(META())).toEqual([]);
  });

  it("catch what they are for (a graph that breaks each rule)", () => {
    const edge = (path: string, external = false) => ({ path, kind: "import-statement", ...(external ? { external } : {}) });
    const broken: Inputs = {
      // The core loads a package that loads child_process: caught through the package.
      "src/core/proposal/fields.ts": { imports: [edge("node_modules/node-cron/dist/node-cron.js")] },
      "node_modules/node-cron/dist/node-cron.js": { imports: [edge("node:child_process", true)] },
      "src/core/releases/zed.ts": { imports: [edge("src/core/plan/build-plan.ts")] },
      "src/core/plan/build-plan.ts": { imports: [edge("src/core/releases/zed.ts")] },
      "src/engine/apply.ts": { imports: [edge("src/cli/main.ts")] },
      "src/cli/main.ts": { imports: [] },
      "src/cli/commands/db.ts": { imports: [{ path: "src/cli/commands/apply.ts", kind: "dynamic-import" }] },
      "src/cli/commands/apply.ts": { imports: [] },
    };
    const found = violations(broken);
    expect(found).toContain("src/core/proposal/fields.ts (core) loads node_modules/node-cron/dist/node-cron.js");
    expect(found).toContain("src/core/proposal/fields.ts (core) loads external:node:child_process");
    expect(found).toContain("src/core/releases/zed.ts (a release) loads the planner: src/core/plan/build-plan.ts");
    expect(found).toContain("src/engine/apply.ts (engine) loads src/cli/main.ts");
    expect(found).toContain("src/cli/commands/db.ts (a command) loads another command: src/cli/commands/apply.ts");
    expect(found.some((f) => f.startsWith("import cycle: src/core/releases/zed.ts → src/core/plan/build-plan.ts"))).toBe(true);
  });

  it("commands do not name each other even for types", () => {
    const dir = join(REPO, "src/cli/commands");
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name), "utf8"), name).not.toMatch(/from "\.\/|import\("\.\//u);
  });

  it("no source outside the releases' room names a release", () => {
    const names = RELEASE_MODULES.map((m) => m.name);
    expect(names.length).toBeGreaterThan(1);
    const pattern = new RegExp(`\\b(?:${names.join("|")})\\b`, "iu");
    const offenders = readdirSync(join(REPO, "src"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".generated.ts"))
      .map((e) => relative(REPO, join(e.parentPath, e.name)))
      .filter((f) => !f.startsWith("src/core/releases/") && pattern.test(readFileSync(join(REPO, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
