// The whole lint: ESLint (typescript-eslint's type-checked rules and the project's conventions,
// eslint.config.mjs), then knip (unused files, exports and dependencies, knip.json).
import { spawnSync } from "node:child_process";

for (const [tool, args] of [
  ["eslint", ["--max-warnings", "0", "."]],
  ["knip", ["--no-progress"]],
]) {
  const result = spawnSync("npx", ["--no-install", tool, ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
console.log("lint: eslint and knip found nothing");
