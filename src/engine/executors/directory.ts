import { chmodSync, chownSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { isSystemDirectory } from "../../core/path-policy.js";
import { failureError } from "../../errors.js";
import type { Executor } from "../types.js";
import { lstatOrUndefined, metadataDrift, notAThing, octal, parseMode, wantedIds } from "./metadata.js";

/** A directory: created when missing; mode and owner kept as planned only where Glance owns it. */
export const directory: Executor<"directory"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  // Validation refuses these already; a plan built any other way still never gets one handed to glance.
  if (resource.manageOwnership && isSystemDirectory(resource.path))
    throw failureError("system-directory", `refusing to give ${resource.path} to ${resource.owner}: the system owns it`, {
      hint: "choose a directory dedicated to Glance (README \"Path policy\")",
    });
  const resolved = context.root.resolve(resource.path, { followFinal: true });
  const stat = lstatOrUndefined(resolved);
  const wanted = resource.manageOwnership ? parseMode(resource.mode) : 0o755;
  const ids = resource.manageOwnership ? wantedIds(context, resource.owner, resource.group) : undefined;
  if (stat === undefined)
    return {
      ...base,
      action: "create",
      details: [`${resource.manageOwnership ? `${resource.owner}:${resource.group} ` : ""}${octal(wanted)}`],
      apply: () => {
        // Missing parents are made as the system makes them (0755); only the directory itself gets its mode.
        mkdirSync(dirname(resolved), { recursive: true, mode: 0o755 });
        mkdirSync(resolved, { recursive: true, mode: wanted });
        chmodSync(resolved, wanted);
        if (ids !== undefined) chownSync(resolved, ids.uid, ids.gid);
      },
    };
  if (!stat.isDirectory()) throw notAThing(context, resource.path, "a directory");
  if (!resource.manageOwnership) return { ...base, action: "unchanged", details: [] };
  const drift = metadataDrift(context, stat, resource);
  if (drift.details.length === 0) return { ...base, action: "unchanged", details: [] };
  return { ...base, action: "update", details: drift.details, apply: () => drift.mend(resolved) };
};
