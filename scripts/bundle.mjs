// Bundles the CLI into dist/bin/: one entry file plus a chunk per lazily loaded command, so that
// start-up reads a few files instead of hundreds of small modules. The database drivers stay
// external (better-sqlite3 is a native addon; both load only when a database is opened).
import { build } from "esbuild";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist/bin`, { recursive: true, force: true });
const result = await build({
  metafile: true,
  absWorkingDir: root,
  // The read-ahead worker is an entry of its own: a Worker starts from a file.
  entryPoints: { "glance-barclamp": "src/cli/main.ts", "read-ahead-worker": "src/db/read-ahead-worker.ts" },
  outdir: "dist/bin",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  external: ["better-sqlite3", "mysql2", "mysql2/promise"],
  // ESM entries first: jsonc-parser's UMD build requires its parts in a way a bundler cannot follow.
  mainFields: ["module", "main"],
  // Some bundled CommonJS packages call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __gbCreateRequire } from 'node:module'; const require = __gbCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(`${root}dist/bin/glance-barclamp.mjs`, 0o755);
// What each chunk imports: a test checks that commands load only what they need.
writeFileSync(`${root}dist/bin/meta.json`, JSON.stringify(result.metafile));
