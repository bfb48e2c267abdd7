/**
 * What `validate` is given, made into a list of files: a file as it is, `-` for standard input, a
 * directory as every *.json under it, a glob pattern as the files it matches (tinyglobby: Node 20
 * has no fs.glob). Each proposal's inventory: --inventory, else a sibling NAME.inventory.json.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What makes an argument a pattern rather than a file name. */
const PATTERN = /[*?[\]{}]/u;

/** tinyglobby only when a directory or a pattern is given: a plain file list never loads it. */
const glob = async (pattern: string, cwd?: string): Promise<string[]> =>
  (await import("tinyglobby")).globSync(pattern, { ...(cwd === undefined ? {} : { cwd }), onlyFiles: true, dot: false, expandDirectories: false }).sort(byCodePoint);

export interface ValidateInput {
  file: string;
  /** Whether it was named on the command line (a missing one is an error), or found by expansion. */
  explicit: boolean;
}

export const expandInputs = async (args: readonly string[]): Promise<ValidateInput[]> => {
  const out: ValidateInput[] = [];
  const seen = new Set<string>();
  const add = (file: string, explicit: boolean): void => {
    if (seen.has(file)) return;
    seen.add(file);
    out.push({ file, explicit });
  };
  for (const arg of args) {
    if (arg === "-" || existsSync(arg)) {
      if (arg !== "-" && statSync(arg).isDirectory())
        for (const file of await glob("**/*.json", arg)) add(join(arg, file), false);
      else add(arg, true);
    } else if (PATTERN.test(arg)) {
      const matches = await glob(arg);
      // A pattern that matches nothing is reported like a missing file: the CI job is misconfigured.
      if (matches.length === 0) add(arg, true);
      for (const file of matches) add(file, false);
    } else add(arg, true);
  }
  return out;
};

/** The inventory beside a proposal (proposals/mysql-swift.json → proposals/mysql-swift.inventory.json), if there is one. */
export const siblingInventory = (file: string): string | undefined => {
  if (file === "-" || !file.endsWith(".json") || file.endsWith(".inventory.json")) return undefined;
  const candidate = `${file.slice(0, -".json".length)}.inventory.json`;
  return existsSync(candidate) ? candidate : undefined;
};
