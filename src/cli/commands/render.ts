import { existsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { readRefusal } from "../../core/path-policy.js";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../../engine/atomic-write.js";
import { openRoot } from "../../engine/root.js";
import { ExitCode, usageError } from "../../errors.js";
import { maskSecrets } from "../../core/render/secret-slots.js";
import { printWarnings } from "../diagnostics.js";
import { jsonReport } from "../format/report.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";

/**
 * Writes the plan's files under DIR for review and golden tests; secrets are masked, so nothing
 * rendered this way can leak one. `apply` is what deploys. DIR is confined like apply's root.
 */
export const runRender = async (file: string, options: PlanOptions & { out: string; json?: boolean }): Promise<number> => {
  const out = resolve(options.out);
  if (out === "/") throw usageError("render-into-root", "render writes files for review, not into /", { hint: "use apply to deploy" });
  // Checked before anything is planned or made: a file or a kernel tree is no place for a review copy.
  const kernel = readRefusal(out);
  if (kernel !== undefined) throw usageError("render-out", `--out ${out} ${kernel}`, { hint: "name a directory for the rendered files" });
  if (existsSync(out) && !statSync(out).isDirectory()) throw usageError("render-out", `--out ${out} is not a directory`, { hint: "name a directory (it is created when missing)" });
  const { plan, warnings } = planProposal(file, options);
  printWarnings(warnings);
  await mkdir(out, { recursive: true });
  const root = openRoot(out);
  const files: string[] = [];
  for (const resource of plan.resources) {
    if (resource.kind !== "file") continue;
    const target = root.resolve(resource.path);
    await mkdir(dirname(target), { recursive: true });
    writeFileAtomic(target, maskSecrets(resource.content), { mode: Number.parseInt(resource.mode, 8) });
    files.push(resource.path);
  }
  process.stdout.write(options.json === true ? jsonReport({ out: root.path, files }) : `rendered ${files.length} files under ${root.path}\n`);
  return ExitCode.ok;
};
