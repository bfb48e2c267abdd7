/**
 * Golden files: every shipped proposal rendered on both releases, byte for byte (secrets masked).
 * Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/unit/golden.test.ts
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { publicPlan } from "../../src/cli/commands/plan.js";
import { files, masked, planShipped } from "../helpers/plan.js";
import { GOLDEN } from "../helpers/paths.js";
import { SHIPPED } from "../helpers/proposals.js";

// Goldens change only when a developer asks; under CI they are only ever compared.
if (process.env.UPDATE_GOLDEN === "1" && process.env.CI === "true") throw new Error("UPDATE_GOLDEN=1 is refused under CI=true: golden files are only compared there");
const update = process.env.UPDATE_GOLDEN === "1";

const listFiles = (dir: string): string[] => {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
};

describe("golden files", () => {
  for (const { proposal, inventory } of SHIPPED) {
    for (const release of ["diablo", "zed"] as const) {
      it(`${proposal} on ${release}`, () => {
        const plan = planShipped(proposal, inventory, release);
        const expected = new Map<string, string>(files(plan).map((f) => [f.path.slice(1), masked(f)]));
        expected.set("plan.json", `${JSON.stringify(publicPlan(plan), null, 2)}\n`);
        const dir = join(GOLDEN, proposal.replace(/\.json$/u, ""), release);
        if (update) {
          rmSync(dir, { recursive: true, force: true });
          for (const [path, content] of expected) {
            mkdirSync(dirname(join(dir, path)), { recursive: true });
            writeFileSync(join(dir, path), content);
          }
        }
        expect(listFiles(dir)).toEqual([...expected.keys()].sort());
        for (const [path, content] of expected) expect(readFileSync(join(dir, path), "utf8"), path).toBe(content);
      });
    }
  }
});
