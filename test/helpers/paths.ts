import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(REPO, "dist/bin/glance-barclamp.cjs");
export const PROPOSALS = join(REPO, "proposals");
export const FIXTURES = join(REPO, "test/fixtures");
export const GOLDEN = join(REPO, "test/golden");
/** Facts carried from ../shared/reference into the repository (see its README). */
export const REFERENCE_FIXTURES = join(FIXTURES, "reference");

/** ../shared beside the checkout: CI always has it; a plain clone does not. */
export const SHARED = resolve(REPO, "../shared");
export const REFERENCE = join(SHARED, "reference");

/**
 * Whether the tests that need ../shared itself (its tools) can run. Under CI=true they must: a
 * missing ../shared is then an error, never a skip.
 */
export const sharedAvailable = (): boolean => {
  if (existsSync(REFERENCE)) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but the reference material is missing: expected ${REFERENCE} beside the checkout`);
  return false;
};

export const SHARED_SKIP_REASON = `skipped: ${SHARED} is not beside this checkout (a plain clone); CI runs these with it`;
