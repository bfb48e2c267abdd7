/** Reading the operator's input files: the only place the CLI touches them. */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { MAX_DOCUMENT_BYTES } from "../core/proposal/load.js";
import { isBarclampError, usageError } from "../errors.js";
import type { Inventory } from "../core/proposal/inventory.js";
import { validateInventoryText } from "../core/proposal/validate.js";
import { invalidError } from "../errors.js";
import { formatIssues } from "../core/proposal/format-issues.js";

/** Reads at most one byte more than the limit, so that /dev/zero or a huge file cannot exhaust memory. */
const readBounded = (fd: number, what: string): string => {
  const stat = fd === 0 ? undefined : fstatSync(fd);
  if (stat !== undefined && !stat.isFile() && !stat.isFIFO())
    throw usageError("unreadable-input", `cannot read ${what}: not a regular file`, { hint: "name a proposal or inventory file" });
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // A regular file's size is known: one read of that many bytes (and one more, to see the end),
    // rather than a large buffer for every small proposal of a batch.
    const size = stat?.isFile() === true && total === 0 ? stat.size + 1 : 64 * 1024;
    const chunk = Buffer.allocUnsafe(Math.min(size, MAX_DOCUMENT_BYTES + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > MAX_DOCUMENT_BYTES)
      throw usageError("input-too-large", `${what} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`, {
        hint: "a proposal or an inventory is a few kilobytes; check the path",
      });
  }
  return Buffer.concat(chunks).toString("utf8");
};

export const readInput = (file: string): string => {
  const what = file === "-" ? "standard input" : file;
  try {
    const fd = file === "-" ? 0 : openSync(file, "r");
    try {
      return readBounded(fd, what);
    } finally {
      if (fd !== 0) closeSync(fd);
    }
  } catch (error) {
    if (isBarclampError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError("unreadable-input", `cannot read ${what}: ${code ?? String(error)}`, {
      hint: code === "ENOENT" ? "check the path" : undefined,
    });
  }
};

export const displayName = (file: string): string => (file === "-" ? "<stdin>" : file);

/** Loads and validates an inventory; an invalid one stops the command with every problem listed. */
export const loadInventory = (file: string | undefined): Inventory | undefined => {
  if (file === undefined) return undefined;
  const result = validateInventoryText(readInput(file), displayName(file));
  if (result.inventory === undefined)
    throw invalidError("invalid-inventory", `inventory ${file} is invalid:\n${formatIssues(result.issues)}`, {
      detail: result.issues,
    });
  return result.inventory;
};
