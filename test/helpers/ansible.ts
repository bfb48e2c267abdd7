/**
 * Ansible for the tests: Debian's ansible-core (installed by `npm test`), run on the repository's
 * playbook with a throw-away configuration, and a private sshd on loopback addresses for the SSH tier.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./paths.js";

const PLAYBOOK = join(REPO, "ansible/playbooks/deploy.yml");

export const requireAnsible = (): void => {
  if (spawnSync("ansible-playbook", ["--version"]).status !== 0) throw new Error("ansible-playbook is missing: npm test installs ansible-core (apt-get)");
};

export interface PlayResult {
  code: number;
  output: string;
  /** PLAY RECAP per host: ok, changed, failed, skipped, ... */
  recap: Record<string, Record<string, number>>;
}

/** The environment of a run: no user or system configuration, temporary files in `dir`. */
export const ansibleEnv = (dir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  LANG: "C.UTF-8",
  ANSIBLE_CONFIG: join(dir, "ansible.cfg"),
  ANSIBLE_LOCAL_TEMP: join(dir, "ansible-local"),
  ANSIBLE_REMOTE_TMP: join(dir, "ansible-remote"),
  ANSIBLE_NOCOLOR: "1",
  ANSIBLE_RETRY_FILES_ENABLED: "0",
  ANSIBLE_HOST_KEY_CHECKING: "False",
  ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
  ANSIBLE_FORKS: "10",
});

const parseRecap = (output: string): Record<string, Record<string, number>> => {
  const recap: Record<string, Record<string, number>> = {};
  const section = output.split("PLAY RECAP").pop() ?? "";
  for (const line of section.split("\n")) {
    const match = /^(\S+)\s+:\s+(.*)$/u.exec(line.trim());
    if (match === null) continue;
    const counts: Record<string, number> = {};
    for (const pair of (match[2] ?? "").matchAll(/(\w+)=(\d+)/gu)) counts[pair[1] ?? ""] = Number(pair[2]);
    recap[match[1] ?? ""] = counts;
  }
  return recap;
};

/** ansible-playbook, asynchronously (the test's MariaDB and sshd live in this process's children). */
export const runPlaybook = (dir: string, args: string[], options: { playbook?: string; env?: NodeJS.ProcessEnv } = {}): Promise<PlayResult> =>
  new Promise((resolve) => {
    writeFileSync(join(dir, "ansible.cfg"), "[defaults]\ninterpreter_python = /usr/bin/python3\n");
    const child = spawn("ansible-playbook", [options.playbook ?? PLAYBOOK, ...args], { cwd: dir, env: { ...ansibleEnv(dir), ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.on("close", (code) => resolve({ code: code ?? -1, output, recap: parseRecap(output) }));
  });

/**
 * A CLI wrapper that logs each call (command, node, start and end in nanoseconds) to `log`, and,
 * when `breakFlag(NODE)` exists, breaks that node's config just before its verify, as a failing
 * disk or a hand edit would between apply and verify.
 */
export const writeLoggingCli = (dir: string, cli: string): { command: string; log: string; breakFlag: (node: string) => string } => {
  const log = join(dir, "calls.log");
  const script = join(dir, "cli.sh");
  writeFileSync(
    script,
    `#!/bin/sh
cmd="$1"; [ "$1" = db ] && cmd="db-$2"
node=-; root=-; prev=
for a in "$@"; do
  [ "$prev" = --node ] && node="$a"
  [ "$prev" = --root ] && root="$a"
  prev="$a"
done
if [ "$cmd" = verify ] && [ -e "${dir}/break-$node" ]; then printf '# broken\\n' >> "$root/etc/glance/glance-api.conf"; fi
echo "start $cmd $node $(date +%s%N)" >> "${log}"
"${process.execPath}" "${cli}" "$@"
code=$?
echo "end $cmd $node $(date +%s%N)" >> "${log}"
exit $code
`,
  );
  chmodSync(script, 0o755);
  return { command: script, log, breakFlag: (node) => join(dir, `break-${node}`) };
};

export interface Call {
  event: "start" | "end";
  command: string;
  node: string;
  at: bigint;
}

export const readCalls = (log: string): Call[] =>
  readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((line) => {
      const [event, command, node, at] = line.split(" ");
      return { event: event as Call["event"], command: command ?? "", node: node ?? "", at: BigInt(at ?? "0") };
    });

export interface Sshd {
  port: number;
  key: string;
  stop: () => Promise<void>;
}

/** One sshd (Debian's openssh-server) on the given loopback addresses, key authentication only, as root. */
export const startSshd = async (dir: string, addresses: string[], port: number): Promise<Sshd> => {
  if (spawnSync("/usr/sbin/sshd", ["-V"]).error !== undefined) throw new Error("/usr/sbin/sshd is missing: npm test installs openssh-server (apt-get)");
  const ssh = join(dir, "ssh");
  mkdirSync(ssh, { recursive: true });
  mkdirSync("/run/sshd", { recursive: true });
  const keygen = (file: string) => {
    const made = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
    if (made.status !== 0) throw new Error(`ssh-keygen: ${String(made.stderr)}`);
  };
  keygen(join(ssh, "host_key"));
  keygen(join(ssh, "client_key"));
  writeFileSync(join(ssh, "authorized_keys"), readFileSync(join(ssh, "client_key.pub")));
  chmodSync(join(ssh, "authorized_keys"), 0o600);
  writeFileSync(
    join(ssh, "sshd_config"),
    [
      `Port ${port}`,
      ...addresses.map((a) => `ListenAddress ${a}`),
      `HostKey ${join(ssh, "host_key")}`,
      `AuthorizedKeysFile ${join(ssh, "authorized_keys")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      `PidFile ${join(ssh, "sshd.pid")}`,
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(ssh, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => (log += d.toString("utf8")));
  for (let i = 0; i < 100 && !addresses.every((a) => log.includes(`Server listening on ${a} port ${port}`)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!addresses.every((a) => log.includes(`Server listening on ${a} port ${port}`))) {
    child.kill();
    throw new Error(`sshd did not start: ${log}`);
  }
  return {
    port,
    key: join(ssh, "client_key"),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
};
