import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(REPO, "dist/bin/glance-barclamp.cjs");
export const PROPOSALS = join(REPO, "proposals");
export const FIXTURES = join(REPO, "test/fixtures");
export const GOLDEN = join(REPO, "test/golden");

/** ../shared/reference beside the checkout: CI always has it; a local run without it fails loudly. */
export const SHARED = resolve(REPO, "../shared");
export const REFERENCE = join(SHARED, "reference");
export const requireShared = (): void => {
  if (!existsSync(REFERENCE)) throw new Error(`the reference material is missing: expected ${REFERENCE} beside the checkout`);
};
