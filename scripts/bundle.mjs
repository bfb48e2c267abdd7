// Bundles the CLI: dist/lib/glance-barclamp.cjs holds every module (a module behind a dynamic
// import is still evaluated only when a command imports it), dist/bin/glance-barclamp.cjs is the
// small executable that compiles it with a V8 code cache (see src/cli/launcher.ts), and
// dist/lib/index.cjs the library entry point. better-sqlite3 stays external (a native addon);
// mysql2 is bundled apart, in dist/lib/mysql2.cjs, evaluated with its own code cache only when a
// MySQL database is opened (its 92 modules took 55 ms to load from node_modules, 20 ms so). Then
// scripts/code-cache.mjs makes the caches.
import { build } from "esbuild";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  external: ["better-sqlite3"],
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
// `mysql2` and `mysql2/promise` in the bundle: the two halves of the driver chunk, which holds one copy of the driver.
const driverChunk = {
  name: "driver-chunk",
  setup(context) {
    context.onResolve({ filter: /^mysql2(\/promise)?$/ }, (args) => ({ path: args.path, namespace: "driver-chunk" }));
    context.onLoad({ filter: /.*/, namespace: "driver-chunk" }, (args) => ({
      contents: `const { loadCompiled } = require(${JSON.stringify(join(root, "src/compiled-chunk.ts"))});\nmodule.exports = loadCompiled(require("node:path").join(__dirname, "mysql2.cjs")).exports.${args.path === "mysql2" ? "callbacks" : "promises"};\n`,
      resolveDir: root,
      loader: "js",
    }));
  },
};
await build({
  ...common,
  external: [],
  stdin: { contents: 'module.exports = { callbacks: require("mysql2"), promises: require("mysql2/promise") };', resolveDir: root, loader: "js", sourcefile: "mysql2-chunk.cjs" },
  outfile: "dist/lib/mysql2.cjs",
});
const result = await build({
  ...common,
  plugins: [driverChunk],
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
