/** The core (proposal → plan → rendered text) has no effects: it imports no fs, no driver, no process. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../helpers/paths.js";

const CORE = ["src/core"];
const FORBIDDEN = [
  /from "node:(fs|fs\/promises|child_process|net|http|https|os|process)"/u,
  /from "(fs|child_process|better-sqlite3|mysql2|mysql2\/promise|pino)"/u,
  /\bprocess\.(env|exit|stdout|stderr|argv|cwd)/u,
];

describe("pure core", () => {
  const sources = CORE.flatMap((dir) =>
    readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => join(e.parentPath, e.name)),
  );

  it("covers the core's files", () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each(sources.map((s) => [relative(REPO, s), s]))("%s has no effectful import", (_name, file) => {
    const text = readFileSync(file, "utf8");
    for (const pattern of FORBIDDEN) expect(text).not.toMatch(pattern);
  });
});
