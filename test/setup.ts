/** Runs in every test file: removes the temporary roots it made (newRoot), whatever their owner. */
import { rmSync } from "node:fs";
import { afterAll } from "vitest";
import { createdRoots } from "./helpers/roots.js";

afterAll(() => {
  for (const dir of createdRoots.splice(0)) rmSync(dir, { recursive: true, force: true });
});
