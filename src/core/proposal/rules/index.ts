/**
 * Cross-field rules: what the schema alone cannot say. Each family lives in its own file, each rule
 * declaring the fields it reads; all of them run and every finding is reported together.
 */
import type { Finding } from "../resolve.js";
import { DEPLOYMENT_RULES } from "./deployment.js";
import { EXTRA_CONFIG_RULES } from "./extra-config.js";
import { FILE_RULES } from "./files.js";
import { INSTANCE_RULES } from "./instances.js";
import { RELEASE_RULES } from "./release.js";
import { SCHEDULE_RULES } from "./schedules.js";
import { STORE_RULES } from "./store.js";
import type { Rule, RuleContext } from "./types.js";

const RULES: readonly Rule[] = [...RELEASE_RULES, ...FILE_RULES, ...STORE_RULES, ...INSTANCE_RULES, ...DEPLOYMENT_RULES, ...SCHEDULE_RULES, ...EXTRA_CONFIG_RULES];

const overlaps = (a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Runs every rule that reads none of the `rejected` paths (all of them when none was rejected). */
export const runRules = (context: RuleContext, rejected: ReadonlyArray<ReadonlyArray<string | number>> = []): Finding[] =>
  RULES.filter((rule) => !rule.reads.some((read) => rejected.some((path) => overlaps(read, path)))).flatMap((rule) =>
    rule.check(context),
  );
