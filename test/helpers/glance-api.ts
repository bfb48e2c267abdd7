/**
 * The real glance-api for end-to-end tests: started exactly as the rendered unit's ExecStart and
 * User say (no systemd), stopped with its whole process group. Shared by the e2e suites.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const LIVE_FILES = () => [
  ...readdirSync("/etc/cron.d").filter((f) => f.startsWith("glance-")).map((f) => `/etc/cron.d/${f}`),
  ...readdirSync("/etc/systemd/system").filter((f) => /^glance-.*\.(service|timer)$/u.test(f)).map((f) => `/etc/systemd/system/${f}`),
];
const LIVE_LOCK = "/tmp/glance-barclamp-e2e-live-root.lock";

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The suites that apply to the live root ("/") write the same /etc paths: one at a time, across
 * vitest's worker processes. Resolves with the release of the hold.
 */
export const holdLiveRoot = async (): Promise<() => void> => {
  for (;;) {
    try {
      mkdirSync(LIVE_LOCK);
      writeFileSync(`${LIVE_LOCK}/pid`, String(process.pid));
      return () => rmSync(LIVE_LOCK, { recursive: true, force: true });
    } catch {
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(`${LIVE_LOCK}/pid`, "utf8"));
      } catch {
        // being written
      }
      if (Number.isInteger(holder) && !isAlive(holder)) rmSync(LIVE_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
};

export const cleanLive = () => {
  for (const file of LIVE_FILES()) rmSync(file, { force: true });
  rmSync("/var/lib/glance-barclamp", { recursive: true, force: true });
};

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });

/** Runs argv as the glance user, as the unit's User= and cron's user field do. */
export const asGlance = (argv: string[]) => ["setpriv", "--reuid=glance", "--regid=glance", "--init-groups", ...argv];

export const startApi = async (d: { dir: string; port: number }, token?: () => Promise<string>): Promise<ChildProcess> => {
  const unit = readFileSync("/etc/systemd/system/glance-api.service", "utf8");
  const execStart = /^ExecStart=(.+)$/mu.exec(unit)?.[1] ?? "";
  const workingDirectory = /^WorkingDirectory=(.+)$/mu.exec(unit)?.[1];
  if (!/^User=glance$/mu.test(unit)) throw new Error("the rendered unit does not run glance-api as the glance user");
  const child = spawn(asGlance(execStart.split(" "))[0] as string, asGlance(execStart.split(" ")).slice(1), { cwd: workingDirectory, detached: true, stdio: "ignore" });
  for (let i = 0; i < 120; i++) {
    try {
      // Ready once the image list answers: with a token when Keystone guards it.
      const response = await fetch(`http://127.0.0.1:${d.port}/v2/images`, token === undefined ? {} : { headers: { "x-auth-token": await token() } });
      if (response.status === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`glance-api did not answer on ${d.port}; its log: ${readFileSync(join(d.dir, "log/api.log"), "utf8").slice(-2000)}`);
};

export const stopApi = async (child: ChildProcess): Promise<void> => {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-(child.pid as number), "SIGTERM");
  await exited;
  // Workers share the process group; give them a moment, then make sure none is left.
  for (let i = 0; i < 20 && spawnSync("pgrep", ["-g", String(child.pid)]).status === 0; i++) await new Promise((r) => setTimeout(r, 250));
  spawnSync("pkill", ["-KILL", "-g", String(child.pid)]);
};

