import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fillSecrets } from "../../core/render/secret-slots.js";
import { tempPathFor, writeFileAtomic } from "../atomic-write.js";
import { maskedDiff } from "../diff.js";
import type { Executor } from "../types.js";
import { lstatOrUndefined, metadataDrift, notAThing, parseMode, wantedIds } from "./metadata.js";

/** A managed file: written atomically when its content differs, its mode and owner mended otherwise. */
export const file: Executor<"file"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = context.root.resolve(resource.path);
  // A temporary file left by an apply that was killed mid-write.
  rmSync(tempPathFor(resolved), { force: true });
  const filled = fillSecrets(resource, context.secrets);
  const content = Buffer.from(filled);
  const stat = lstatOrUndefined(resolved);
  if (stat?.isDirectory() === true) throw notAThing(context, resource.path, "a file");
  const current = stat?.isFile() === true ? readFileSync(resolved) : undefined;
  const details: string[] = [];
  const contentDiffers = current === undefined || !current.equals(content);
  if (stat?.isSymbolicLink() === true) details.push("replace a symbolic link with the file");
  else if (current !== undefined && contentDiffers) details.push("content");
  const drift = stat?.isFile() === true ? metadataDrift(context, stat, resource) : undefined;
  details.push(...(drift?.details ?? []));
  if (stat !== undefined && details.length === 0) return { ...base, action: "unchanged", details };
  const diff = contentDiffers ? maskedDiff(resource.path, resource.content, filled, current?.toString("utf8"), context.secretForms, resource.maskedOptions) : undefined;
  return {
    ...base,
    action: stat === undefined ? "create" : "update",
    details: stat === undefined ? [`${resource.owner}:${resource.group} ${resource.mode}`] : details,
    ...(diff === undefined ? {} : { diff }),
    apply: () => {
      if (!contentDiffers && drift !== undefined) {
        // Only metadata differs: leave the content (and its mtime) alone; the backup keeps the old
        // mode and owners, for a rollback.
        context.backup?.save(resource.path, resolved, resource.secrets.length > 0);
        drift.mend(resolved);
        return;
      }
      context.backup?.save(resource.path, resolved, resource.secrets.length > 0);
      mkdirSync(dirname(resolved), { recursive: true, mode: 0o755 });
      writeFileAtomic(resolved, content, { mode: parseMode(resource.mode), ...(wantedIds(context, resource.owner, resource.group) ?? {}) });
    },
  };
};
