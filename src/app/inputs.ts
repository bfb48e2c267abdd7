/** Reading the operator's input files: the only place the CLI touches them. */
import { readFileSync } from "node:fs";
import { usageError } from "../errors.js";
import type { Inventory } from "../core/proposal/inventory.js";
import { validateInventoryText } from "../core/proposal/validate.js";
import { invalidError } from "../errors.js";
import { formatIssues } from "../core/proposal/format-issues.js";

export const readInput = (file: string): string => {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError("unreadable-input", `cannot read ${file === "-" ? "standard input" : file}: ${code ?? String(error)}`, {
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
