/**
 * Evaluates a bundled CommonJS file (dist/lib/*.cjs) compiled with the V8 code cache beside it
 * (FILE.cache, made by scripts/code-cache.mjs), so that a run skips parsing and compiling what it
 * executes. Node 20 has no module compile cache of its own (22 does). A cache that this Node's V8
 * does not accept, or none, only costs that time: V8 then compiles as usual.
 */
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

export interface Compiled<T> {
  exports: T;
  /** Kept so that the build can make the cache from what a run compiled. */
  script: Script;
}

const readCache = (file: string): Buffer | undefined => {
  try {
    return readFileSync(`${file}.cache`);
  } catch {
    return undefined;
  }
};

// Once per file and process: a second evaluation would be a second copy of every module in it.
const evaluated = new Map<string, Compiled<unknown>>();

export const loadCompiled = <T>(file: string, options: { cache: boolean } = { cache: true }): Compiled<T> => {
  const known = evaluated.get(file);
  if (known !== undefined) return known as Compiled<T>;
  const cachedData = options.cache ? readCache(file) : undefined;
  const script = new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const compiled = { exports: module.exports, script };
  evaluated.set(file, compiled);
  return compiled;
};
