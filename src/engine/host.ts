/** The live machine as the engine sees it: programs it can run and whether systemd runs it. */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import type { Host } from "./types.js";

const run: Host["run"] = (argv, timeoutMs) =>
  new Promise((resolve) => {
    const [command, ...args] = argv;
    const child = spawn(command as string, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", (error) => resolve({ code: 127, output: `${output}${error.message}` }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), output: signal === null ? output : `${output}\n(killed by ${signal} after ${timeoutMs} ms)` }));
  });

/** argv run as `user` (its uid, gid and groups), as cron and the units run Glance's tools. */
export const asUser = (user: string, argv: readonly string[]): string[] => ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", ...argv];

export const liveHost = (): Host => ({
  run,
  systemdRunning: existsSync("/run/systemd/system"),
  exists: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
});
