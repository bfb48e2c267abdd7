// Makes dist/lib/glance-barclamp.cjs.cache: compiles the bundle, runs the commands people run most
// (validate, plan, apply into a staging root and again, diff) in this process, then saves what V8
// compiled. Their output is discarded; a command that fails stops the build, since the bundle is
// then broken. Then dist/lib/mysql2.cjs.cache, the driver's: it is evaluated and connects to a
// port where nothing listens (no server is needed to build), which is most of what it compiles.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL("..", import.meta.url));
const { loadBundle, loadCompiled, BUNDLE, DRIVER } = require("../dist/bin/glance-barclamp.cjs");
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
writeFileSync(`${BUNDLE}.cache`, script.createCachedData());

const driver = loadCompiled(DRIVER, { cache: false });
const closed = await new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
await new Promise((resolve, reject) => {
  const connection = driver.exports.callbacks.createConnection({ host: "127.0.0.1", port: closed, user: "code-cache", password: "none", connectTimeout: 2000 });
  connection.connect((error) => (error?.code === "ECONNREFUSED" ? resolve() : reject(new Error(`code cache: the driver's connection ended with ${error?.code ?? "no error"}, not ECONNREFUSED`))));
});
writeFileSync(`${DRIVER}.cache`, driver.script.createCachedData());
