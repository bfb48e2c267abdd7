import { rmSync } from "node:fs";
import { tempPathFor } from "../atomic-write.js";
import type { Executor } from "../types.js";
import { lstatOrUndefined, notAThing } from "./metadata.js";

/** A file the plan no longer has (a cron entry after caching is turned off): backed up, then removed. */
export const absent: Executor<"absent"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.path };
  const resolved = context.root.resolve(resource.path);
  // A killed apply of a plan that still wrote this file may have left its temporary beside it.
  rmSync(tempPathFor(resolved), { force: true });
  const stat = lstatOrUndefined(resolved);
  if (stat === undefined) return { ...base, action: "unchanged", details: [] };
  if (stat.isDirectory()) throw notAThing(context, resource.path, "a file");
  return {
    ...base,
    action: "remove",
    details: [resource.description],
    apply: () => {
      // Only units and cron entries leave a plan: none of them holds a secret.
      context.backup?.save(resource.path, resolved, false);
      rmSync(resolved, { force: true });
    },
  };
};
