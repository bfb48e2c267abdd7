import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../../engine/atomic-write.js";
import { openRoot } from "../../engine/root.js";
import { ExitCode, usageError } from "../../errors.js";
import { maskSecrets } from "../../core/render/secret-slots.js";
import { printWarnings } from "../diagnostics.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";

/**
 * Writes the plan's files under DIR for review and golden tests; secrets are masked, so nothing
 * rendered this way can leak one. `apply` is what deploys. DIR is confined like apply's root.
 */
export const runRender = async (file: string, options: PlanOptions & { out: string }): Promise<number> => {
  const out = resolve(options.out);
  if (out === "/") throw usageError("render-into-root", "render writes files for review, not into /", { hint: "use apply to deploy" });
  const { plan, warnings } = planProposal(file, options);
  printWarnings(warnings);
  await mkdir(out, { recursive: true });
  const root = openRoot(out);
  let count = 0;
  for (const resource of plan.resources) {
    if (resource.kind !== "file") continue;
    const target = root.resolve(resource.path);
    await mkdir(dirname(target), { recursive: true });
    writeFileAtomic(target, maskSecrets(resource.content), { mode: Number.parseInt(resource.mode, 8) });
    count++;
  }
  process.stdout.write(`rendered ${count} files under ${root.path}\n`);
  return ExitCode.ok;
};
