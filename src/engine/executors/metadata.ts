/** What every executor of a path shares: reading its state, and comparing and mending its mode and owner. */
import { chmodSync, chownSync, lstatSync, type Stats } from "node:fs";
import { failureError } from "../../errors.js";
import type { Mode } from "../../core/plan/types.js";
import type { ConvergeContext } from "../types.js";

export const parseMode = (text: Mode): number => Number.parseInt(text, 8);
export const octal = (value: number): string => `0${(value & 0o7777).toString(8)}`;

// File-system calls are synchronous throughout: a few hundred tiny calls, each of which would
// otherwise wait for a thread-pool round trip.
export const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

export const notAThing = (context: ConvergeContext, path: string, what: string) =>
  failureError("wrong-type", `${context.root.display(path)} exists and is not ${what}`, {
    hint: "move it away, then apply again (nothing was changed)",
  });

/** The owner ids a resource wants, when owners are enforced (running as root). */
export const wantedIds = (context: ConvergeContext, owner: string, group: string): { uid: number; gid: number } | undefined =>
  context.ownership.enforced ? context.ownership.ids(owner, group) : undefined;

export interface MetadataDrift {
  /** One line per difference, for the report. */
  details: string[];
  /** Sets the mode and owner that differ; touches nothing else. */
  mend: (resolved: string) => void;
}

/** Mode and ownership of an existing path against what the resource wants. */
export const metadataDrift = (context: ConvergeContext, stat: Stats, wanted: { mode: Mode; owner: string; group: string }): MetadataDrift => {
  const details: string[] = [];
  const mode = parseMode(wanted.mode);
  const modeDiffers = (stat.mode & 0o7777) !== mode;
  if (modeDiffers) details.push(`mode ${octal(stat.mode)} → ${wanted.mode}`);
  const ids = wantedIds(context, wanted.owner, wanted.group);
  const ownerDiffers = ids !== undefined && (stat.uid !== ids.uid || stat.gid !== ids.gid);
  if (ownerDiffers) details.push(`owner ${stat.uid}:${stat.gid} → ${wanted.owner}:${wanted.group}`);
  return {
    details,
    mend: (resolved) => {
      if (modeDiffers) chmodSync(resolved, mode);
      if (ownerDiffers) chownSync(resolved, ids.uid, ids.gid);
    },
  };
};
