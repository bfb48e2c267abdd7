/** The facts carried into test/fixtures/reference are the reference material's, byte for byte. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REFERENCE, REFERENCE_FIXTURES, SHARED_SKIP_REASON, sharedAvailable } from "../helpers/paths.js";

const available = sharedAvailable();
if (!available) console.warn(`reference fixtures: ${SHARED_SKIP_REASON}`);

describe.skipIf(!available)("reference fixtures", () => {
  it.each([
    ["bc-template-glance.json", "crowbar-2011/bc-template-glance.json"],
    ["schema-diablo.sql", "glance-options/schema-diablo.sql"],
  ])("%s equals ../shared/reference/%s", (fixture, original) => {
    expect(readFileSync(join(REFERENCE_FIXTURES, fixture), "utf8")).toBe(readFileSync(join(REFERENCE, original), "utf8"));
  });
});
