/**
 * The `glance-barclamp` executable. It evaluates the bundled CLI (dist/lib/glance-barclamp.cjs)
 * with the V8 code cache that `npm run build` made by running typical commands: a third of an
 * apply's start-up (bench/RESULTS.md). See src/compiled-chunk.ts.
 */
import { join } from "node:path";
import { loadCompiled } from "../compiled-chunk.js";

export interface Bundle {
  main: (argv: readonly string[]) => Promise<number>;
  run: () => Promise<void>;
}

export const BUNDLE = join(__dirname, "..", "lib", "glance-barclamp.cjs");
/** mysql2, bundled apart with its own cache: loaded only when a MySQL database is opened. */
export const DRIVER = join(__dirname, "..", "lib", "mysql2.cjs");

export const loadBundle = (options: { cache: boolean } = { cache: true }) => {
  const { exports, script } = loadCompiled<Bundle>(BUNDLE, options);
  return { bundle: exports, script };
};

export { loadCompiled };

if (require.main === module) void loadBundle().bundle.run();
