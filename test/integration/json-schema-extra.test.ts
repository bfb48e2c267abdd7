/**
 * The shipped JSON Schema completes extra_config's sections and options per release: read by a
 * real JSON Schema validator (Python's jsonschema, which Debian's Glance brings), a name the
 * release's catalogue has passes and one it lacks fails, on each release.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROPOSALS } from "../helpers/paths.js";

const SCRIPT = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.validators.validator_for(schema)(schema)
print(json.dumps([e.message for e in validator.iter_errors(json.loads(sys.stdin.read()))]))
`;

const errorsOf = (proposal: unknown): string[] => {
  const result = spawnSync("/usr/bin/python3", ["-c", SCRIPT, join(PROPOSALS, "proposal.schema.json")], { input: JSON.stringify(proposal), encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as string[];
};

const proposal = (release: string | undefined, extra: Record<string, Record<string, unknown>>) => ({
  id: "bc-glance-x",
  attributes: { glance: { ...(release === undefined ? {} : { release }), api: { extra_config: extra } } },
});

describe("the JSON Schema's extra_config names", () => {
  it("complete zed's options and refuse others", () => {
    expect(errorsOf(proposal("zed", { DEFAULT: { workers: 2 }, oslo_policy: { policy_file: "p.yaml" } }))).toEqual([]);
    expect(errorsOf(proposal("zed", { DEFAULT: { wokers: 2 } })).join("\n")).toMatch(/'wokers' is not one of \[.*'workers'/u);
    expect(errorsOf(proposal("zed", { oslo_polcy: {} })).join("\n")).toMatch(/'oslo_polcy' is not one of/u);
  });

  it("complete diablo's (also for a proposal that names no release) and refuse zed's", () => {
    expect(errorsOf(proposal("diablo", { DEFAULT: { owner_is_tenant: false, log_date_format: "%Y" } }))).toEqual([]);
    expect(errorsOf(proposal("diablo", { DEFAULT: { workers: 2 } })).join("\n")).toMatch(/'workers' is not one of/u);
    expect(errorsOf(proposal(undefined, { oslo_policy: { policy_file: "p" } })).join("\n")).toMatch(/'oslo_policy' is not one of/u);
  });
});
