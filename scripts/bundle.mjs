// Bundles the CLI: dist/lib/glance-barclamp.cjs holds every module (a module behind a dynamic
// import is still evaluated only when a command imports it), dist/bin/glance-barclamp.cjs is the
// small executable that compiles it with a V8 code cache (see src/cli/launcher.ts), and
// dist/lib/index.cjs the library entry point. The database drivers stay external
// (better-sqlite3 is a native addon; both load only when a database is opened). Then
// scripts/code-cache.mjs makes the cache.
import { build } from "esbuild";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  external: ["better-sqlite3", "mysql2", "mysql2/promise"],
  // ESM entries first: jsonc-parser's UMD build requires its parts in a way a bundler cannot follow.
  mainFields: ["module", "main"],
  // The sources are ES modules: import.meta.url becomes the bundle file's URL.
  define: { "import.meta.url": "__gbModuleUrl" },
  banner: { js: "var __gbModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // import() of an external package or built-in becomes require(): the bundle runs as a vm.Script,
  // which has no module loader to resolve a real dynamic import.
  supported: { "dynamic-import": false },
  logLevel: "warning",
};
const result = await build({
  ...common,
  metafile: true,
  entryPoints: { "glance-barclamp": "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist/lib",
  outExtension: { ".js": ".cjs" },
});
await build({
  ...common,
  entryPoints: ["src/cli/launcher.ts"],
  outfile: "dist/bin/glance-barclamp.cjs",
  banner: { js: "#!/usr/bin/env node" },
  define: {},
});
chmodSync(`${root}dist/bin/glance-barclamp.cjs`, 0o755);
// What each module imports, and how: a test checks that commands load only what they need.
writeFileSync(`${root}dist/lib/meta.json`, JSON.stringify(result.metafile));
