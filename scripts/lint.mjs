// Project rules a type checker does not enforce: node: imports for built-ins, named exports only,
// kebab-case file names, and no console output from the library (only the CLI writes).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = ["src", "test", "bench", "scripts"].flatMap((dir) => {
  try {
    return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mjs)$/u.test(e.name) && !e.name.endsWith(".generated.ts"))
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
});
const problems = [];
const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")));
for (const file of files) {
  const name = relative(root, file);
  const text = readFileSync(file, "utf8");
  if (!/^[a-z0-9]+(?:[-.][a-z0-9]+)*\.(ts|mjs)$/u.test(file.split("/").pop())) problems.push(`${name}: file names are kebab-case`);
  for (const match of text.matchAll(/from "([^"]+)"/gu)) {
    const spec = match[1];
    if (builtins.has(spec.split("/")[0]) && !spec.startsWith("node:")) problems.push(`${name}: import "node:${spec}", not "${spec}"`);
  }
  if (name.startsWith("src/") && /^export default /mu.test(text)) problems.push(`${name}: use named exports`);
  if (name.startsWith("src/") && !name.startsWith("src/cli/") && /\bconsole\./u.test(text)) problems.push(`${name}: only the CLI writes output`);
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`lint: ${files.length} files ok`);
