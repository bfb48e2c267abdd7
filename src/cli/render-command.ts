import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ExitCode, usageError } from "../errors.js";
import { maskSecrets } from "../plan/secrets.js";
import { formatIssues } from "./output.js";
import { planProposal, type PlanOptions } from "./plan-inputs.js";

/**
 * Writes the plan's files under DIR for review and golden tests; secrets are masked, so nothing
 * rendered this way can leak one. `apply` is what deploys.
 */
export const runRender = async (file: string, options: PlanOptions & { out: string }): Promise<number> => {
  const out = resolve(options.out);
  if (out === "/") throw usageError("render-into-root", "render writes files for review, not into /", { hint: "use apply to deploy" });
  const { plan, warnings } = await planProposal(file, options);
  if (warnings.length > 0) process.stderr.write(`${formatIssues(warnings)}\n`);
  let count = 0;
  for (const resource of plan.resources) {
    if (resource.kind !== "file") continue;
    // Paths are validated absolute and normalised: joining keeps them under `out`.
    const target = join(out, resource.path);
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(target, maskSecrets(resource.content));
    chmodSync(target, Number.parseInt(resource.mode, 8));
    count++;
  }
  process.stdout.write(`rendered ${count} files under ${out}\n`);
  return ExitCode.ok;
};
