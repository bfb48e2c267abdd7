// Makes dist/lib/glance-barclamp.cjs.cache: compiles the bundle, runs the commands people run most
// (validate, plan, apply into a staging root and again, diff) in this process, then saves what V8
// compiled. Their output is discarded; a command that fails stops the build, since the bundle is
// then broken.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL("..", import.meta.url));
const { loadBundle, CODE_CACHE } = require("../dist/bin/glance-barclamp.cjs");
const { bundle, script } = loadBundle({ cache: false });
const work = mkdtempSync(join(tmpdir(), "gb-code-cache-"));
const proposal = (name) => join(repo, "proposals", name);
const staging = ["--root", work, "--node", "n1", "--log-file", join(work, "log")];
const runs = [
  [["validate", proposal("crowbar-2011-default.json")], 0],
  [["validate", "--json", proposal("zed-sqlite.json")], 0],
  [["plan", proposal("zed-sqlite.json"), "--node", "n1"], 0],
  [["apply", proposal("zed-sqlite.json"), ...staging], 0],
  [["apply", proposal("zed-sqlite.json"), ...staging], 0],
  [["diff", proposal("zed-sqlite.json"), ...staging], 0],
];
const write = process.stdout.write;
try {
  for (const [argv, expected] of runs) {
    process.stdout.write = () => true;
    let code;
    try {
      code = await bundle.main(argv);
    } finally {
      process.stdout.write = write;
    }
    if (code !== expected) throw new Error(`code cache: glance-barclamp ${argv.join(" ")} exited ${code}, not ${expected}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(CODE_CACHE, script.createCachedData());
