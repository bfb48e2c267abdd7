/**
 * The `glance-barclamp` executable. It compiles the bundled CLI (dist/lib/glance-barclamp.cjs) with
 * the V8 code cache that `npm run build` made by running typical commands, so that a run skips
 * parsing and compiling what it executes: a third of an apply's start-up (bench/RESULTS.md).
 * Node 20 has no module compile cache of its own (22 does). A cache that this Node's V8 does not
 * accept, or none, only costs that time: V8 then compiles as usual.
 */
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

export interface Bundle {
  main: (argv: readonly string[]) => Promise<number>;
  run: () => Promise<void>;
}

export const BUNDLE = join(__dirname, "..", "lib", "glance-barclamp.cjs");
export const CODE_CACHE = `${BUNDLE}.cache`;

const readCache = (): Buffer | undefined => {
  try {
    return readFileSync(CODE_CACHE);
  } catch {
    return undefined;
  }
};

/** Compiles and evaluates the bundle; the Script is returned so that the build can make the cache. */
export const loadBundle = (options: { cache: boolean } = { cache: true }): { bundle: Bundle; script: Script } => {
  const cachedData = options.cache ? readCache() : undefined;
  const script = new Script(Module.wrap(readFileSync(BUNDLE, "utf8")), { filename: BUNDLE, ...(cachedData === undefined ? {} : { cachedData }) });
  const module = { exports: {} as Bundle };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { bundle: module.exports, script };
};

if (require.main === module) void loadBundle().bundle.run();
