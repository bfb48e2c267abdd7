/**
 * Every command example of the README, as written: each line of its sh blocks that runs the CLI
 * (or Ansible) is either run here, in a sandbox copy of proposals/ with `npx glance-barclamp` and
 * `sudo` as thin shims, and must exit as the README says (the live system's examples in a mount
 * namespace, see LIVE), or is listed below with the reason it cannot run here (another host) and
 * the test that runs it against what its tier starts. A new example that is in
 * neither list fails this test.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, REPO } from "../helpers/paths.js";
import { holdLiveRoot } from "../helpers/glance-api.js";
import { newRoot } from "../helpers/roots.js";

/** Lines of the README's sh blocks that run the CLI or Ansible, in order. */
const examples = (): string[] => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/gu)].flatMap((m) => (m[1] ?? "").split("\n").filter((l) => /glance-barclamp|ansible-playbook/u.test(l) && !l.startsWith("#")));
};

/**
 * Run here, in README order (later ones rely on earlier ones: apply before diff and rollback),
 * with the exit code the README promises; `[code, setup]` runs a set-up line first (the README's
 * sections are illustrations, not one script: verify comes after rollback there).
 */
const RUN: Record<string, number | [number, string]> = {
  "npx glance-barclamp completion bash > /etc/bash_completion.d/glance-barclamp   # or: source <(glance-barclamp completion bash)": 0,
  "npx glance-barclamp man > glance-barclamp.1 && man -l glance-barclamp.1": 0,
  "npx glance-barclamp validate proposals/*.json": 0,
  "npx glance-barclamp validate --inventory proposals/three-node.inventory.json proposals/three-node.json": 0,
  "npx glance-barclamp proposal new | npx glance-barclamp validate -       # '-' reads standard input": 0,
  "npx glance-barclamp validate --json proposals/mysql-swift.json": 0,
  "npx glance-barclamp validate proposals --format github --strict              # a directory; annotations for a pull request": 0,
  "npx glance-barclamp validate 'proposals/**/*.json' --format junit > validate.xml": 0,
  "npx glance-barclamp proposal migrate old.json > new.json             # warnings and notes on stderr": 0,
  "npx glance-barclamp proposal migrate old.json --out new.json --release diablo": 0,
  "npx glance-barclamp proposal migrate old.json --in-place             # the original is kept as old.json.bak": 0,
  "npx glance-barclamp proposal new --release zed --id lab > lab.json   # every default spelled out": 0,
  "npx glance-barclamp schema > proposals/proposal.schema.json           # JSON Schema, from the zod schema": 0,
  "npx glance-barclamp schema --inventory                                # the inventory's JSON Schema": 0,
  "npx glance-barclamp plan proposals/three-node.json -i proposals/three-node.inventory.json --node node2": 0,
  "npx glance-barclamp plan proposals/zed-sqlite.json --json": 0,
  "npx glance-barclamp plan proposals/zed-sqlite.json --root /srv/staging   # cron entries its packages ship count": 0,
  "npx glance-barclamp render proposals/zed-sqlite.json --out ./out   # out/etc/glance/glance-api.conf, ...": 0,
  "npx glance-barclamp apply proposals/zed-sqlite.json --root /srv/staging      # a staging root": 0,
  "npx glance-barclamp apply proposals/zed-sqlite.json --root /srv/staging --dry-run   # or --check": 0,
  "npx glance-barclamp diff proposals/zed-sqlite.json --root /srv/staging       # exit 4 when drift is pending": 0,
  "npx glance-barclamp verify proposals/zed-sqlite.json --root /srv/staging --json": [0, "npx glance-barclamp apply proposals/zed-sqlite.json --root /srv/staging > /dev/null"],
  "npx glance-barclamp rollback --root /srv/staging": 0,
  "npx glance-barclamp db provision proposals/mysql-swift.json -i proposals/mysql-swift.inventory.json --node node1 --print-sql": 0,
  "npx glance-barclamp ansible-inventory proposals/three-node.json -i proposals/three-node.inventory.json > hosts.json": 0,
};

/**
 * The live system's examples (`--root /`, the node's own database), run as written in a private
 * mount namespace where the directories the proposal writes are copies of this host's (the Debian
 * packages' files included): the real glance-manage, glance-scrubber and glance-api run there, and
 * the host's own /etc and /var are never touched. Capitals are the README's placeholders (see
 * PLACEHOLDERS); `[code, setup]` runs a set-up in the same namespace first, `[code, setup, true]`
 * also starts glance-api there for the example, as the unit's ExecStart and User say.
 */
const LIVE: Record<string, number | [number, string] | [number, string, true]> = {
  "sudo npx glance-barclamp apply proposals/zed-sqlite.json                     # the live system (--root /)": 0,
  "npx glance-barclamp schedule proposals/zed-sqlite.json --once scrubber": 0,
  "sudo npx glance-barclamp db sync proposals/zed-sqlite.json": 0,
  "npx glance-barclamp db status --connection sqlite:////var/lib/glance/glance.sqlite": 0,
  "npx glance-barclamp index proposals/zed-sqlite.json                          # the node's own database": [
    0,
    // Two images on the schema db sync made: the second is the marker's page.
    "sqlite3 /var/lib/glance/glance.sqlite \"INSERT INTO images (id, name, size, status, created_at, deleted, disk_format, container_format, owner, visibility, protected, os_hidden, min_disk, min_ram) VALUES " +
      "('11111111-1111-4111-8111-111111111111', 'small', 10, 'active', '2026-11-20 10:00:00', 0, 'raw', 'bare', 'p-audit', 'public', 0, 0, 0, 0), " +
      "('22222222-2222-4222-8222-222222222222', 'large', 2147483648, 'active', '2026-11-21 10:00:00', 0, 'qcow2', 'bare', 'p-audit', 'public', 0, 0, 0, 0)\"",
  ],
  "npx glance-barclamp index --connection sqlite:////var/lib/glance/glance.sqlite --all --sort size:asc --limit 20 --marker ID": 0,
  "npx glance-barclamp index proposals/zed-sqlite.json --columns id,owner,visibility,size,created_at --format csv": 0,
  "npx glance-barclamp index proposals/zed-sqlite.json --owner PROJECT --visibility public --min-size 1073741824": 0,
  "npx glance-barclamp index proposals/zed-sqlite.json --all --deleted-since 2026-11-01 --columns id,name,deleted_at": 0,
  "npx glance-barclamp index proposals/zed-sqlite.json --summary                   # counts and total size by status, visibility, disk format": 0,
  "sudo npx glance-barclamp verify proposals/zed-sqlite.json": [0, "true", true],
  "sudo npx glance-barclamp images sync proposals/zed-sqlite.json            # once glance-api answers": [0, "true", true],
};

/** What the README's placeholders stand for in LIVE's examples: the images its set-up inserts. */
const PLACEHOLDERS: Record<string, string> = { ID: "11111111-1111-4111-8111-111111111111", PROJECT: "p-audit" };

/** What each LIVE example must print, beyond its exit code: proof it ran against the namespace's live system. */
const LIVE_OUTPUT: Record<string, RegExp> = {
  "sudo npx glance-barclamp apply proposals/zed-sqlite.json                     # the live system (--root /)": /run\s+schema sync/u,
  "npx glance-barclamp db status --connection sqlite:////var/lib/glance/glance.sqlite": /alembic at \w+/u,
  "npx glance-barclamp index --connection sqlite:////var/lib/glance/glance.sqlite --all --sort size:asc --limit 20 --marker ID": /^(?![\s\S]*small)[\s\S]*22222222-2222-4222-8222-222222222222 +large/u,
  "npx glance-barclamp index proposals/zed-sqlite.json --owner PROJECT --visibility public --min-size 1073741824": /^(?![\s\S]*small)[\s\S]*large/u,
  "sudo npx glance-barclamp verify proposals/zed-sqlite.json": /PASS\s+api[\s\S]*PASS\s+database\s+alembic/u,
};

/** The live system's directories the zed-sqlite proposal writes, each bound to a copy in the namespace. */
const LIVE_DIRS = ["/etc/glance", "/etc/systemd/system", "/etc/cron.d", "/var/lib/glance", "/var/log/glance", "/var/lib/glance-barclamp", "/run"];

/** Not run here, with the reason and where that tier runs the same command. */
const ELSEWHERE: Record<string, string> = {
  'npm ci && npx glance-barclamp apply proposals/zed-sqlite.json --root "$(mktemp -d)"': "the set-up command: CI runs it on a fresh clone (.ci/run, the before-stop check)",
  'npx glance-barclamp completion zsh > "${fpath[1]}/_glance-barclamp"': "a zsh command line: cli-help-documents.test.ts loads the script in zsh",
  'npx glance-barclamp schedule proposals/zed-sqlite.json           # with periodic_jobs "none": runs until SIGTERM': "runs until SIGTERM: periodic.test.ts runs schedule and stops it",
  "npx glance-barclamp db provision proposals/mysql-swift.json -i proposals/mysql-swift.inventory.json --node node1": "the inventory's MySQL at 192.168.124.x: database.test.ts provisions a MariaDB it starts",
  "npx glance-barclamp index --connection mysql://glance:PASSWORD@db1/glancedb --format csv": "a remote MySQL: index-listing.test.ts lists a MariaDB it starts",
  "npx glance-barclamp index -H 192.168.124.81 -p 9292 -A TOKEN --api-version 1   # through the API, like 2011's glance index": "a remote Glance: remote-index.test.ts and real-glance.test.ts",
  ". ./admin-openrc && npx glance-barclamp index                                   # OS_AUTH_URL, OS_USERNAME, ...: Keystone's catalog finds Glance": "a live Keystone: real-keystone.test.ts",
  "sudo npx glance-barclamp images sync proposal.json -i inventory.json --replace": "a live Glance: real-images.test.ts runs --replace",
  "ansible-playbook -i hosts.json ansible/playbooks/deploy.yml -e @vars.json --check --diff   # what would change, node by node": "the three-node proposal's hosts: ansible-deploy.test.ts runs deploy.yml on hosts it makes",
  "ansible-playbook -i hosts.json ansible/playbooks/deploy.yml -e @vars.json                  # validate everywhere, database once, then node after node": "the same: ansible-deploy.test.ts",
  "ansible-playbook -i hosts.json ansible/playbooks/deploy.yml -e @vars.json -e glance_barclamp_serial=2": "the same: ansible-deploy.test.ts (serial 2 over SSH)",
};

const STAGING = "/srv/staging";
const asRoot = process.geteuid?.() === 0;
let sandbox = "";

beforeAll(() => {
  sandbox = newRoot("gb-readme-");
  cpSync(join(REPO, "proposals"), join(sandbox, "proposals"), { recursive: true });
  cpSync(join(REPO, "test/fixtures/crowbar/crowbar-2013-04.json"), join(sandbox, "old.json"));
  const bin = join(sandbox, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "npx"), `#!/bin/sh\n[ "$1" = glance-barclamp ] || exit 127\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  writeFileSync(join(bin, "sudo"), '#!/bin/sh\nexec "$@"\n');
  chmodSync(join(bin, "npx"), 0o755);
  chmodSync(join(bin, "sudo"), 0o755);
  rmSync(STAGING, { recursive: true, force: true });
  mkdirSync(STAGING, { recursive: true });
  mkdirSync("/etc/bash_completion.d", { recursive: true });
});
afterAll(() => {
  rmSync(STAGING, { recursive: true, force: true });
  rmSync("/etc/bash_completion.d/glance-barclamp", { force: true });
});

describe("the README's command examples", () => {
  it("are each run here or listed with the test that runs them", () => {
    const unlisted = examples().filter((e) => !(e in RUN) && !(e in LIVE) && !(e in ELSEWHERE));
    expect(unlisted).toEqual([]);
    const gone = [...Object.keys(RUN), ...Object.keys(LIVE), ...Object.keys(ELSEWHERE)].filter((e) => !examples().includes(e));
    expect(gone).toEqual([]);
  });

  // /srv/staging and /etc/bash_completion.d are written as the README writes them: root only (CI is).
  if (!asRoot && process.env.CI !== "true") console.warn("readme-examples: skipped running the examples: they write /srv/staging, run as root (CI does)");
  it.runIf(asRoot || process.env.CI === "true")(
    "run as written and exit as the README says, the live system's in a mount namespace",
    async () => {
      const env = { ...process.env, PATH: `${join(sandbox, "bin")}:${process.env.PATH ?? ""}`, GLANCE_SWIFT_KEY: "readme-swift-key", NO_COLOR: "1" };
      const bash = (line: string) => spawnSync("bash", ["-o", "pipefail", "-c", line], { cwd: sandbox, encoding: "utf8", env });
      // In a new mount namespace: each live directory bound to its copy, then the set-up, glance-api when asked, the example.
      const live = (line: string, setup: string, api: boolean) =>
        spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-o", "pipefail", "-c", NAMESPACE], {
          cwd: sandbox,
          encoding: "utf8",
          env: { ...env, LIVE_COPY: join(sandbox, "live"), LIVE_DIRS: LIVE_DIRS.join(" "), SETUP: setup, START_API: api ? "yes" : "no", EXAMPLE: line.replace(/\b(ID|PROJECT)\b/gu, (p) => PLACEHOLDERS[p] ?? p) },
        });
      const release = await holdLiveRoot();
      try {
        copyLiveDirectories(join(sandbox, "live"));
        for (const example of examples()) {
          if (example in RUN) {
            const expected = RUN[example] ?? 0;
            const [code, setup] = typeof expected === "number" ? [expected, undefined] : expected;
            if (setup !== undefined) expect(bash(setup).status, setup).toBe(0);
            const result = bash(example);
            expect(result.status, `${example}\n${result.stderr}`).toBe(code);
          } else if (example in LIVE) {
            const expected = LIVE[example] ?? 0;
            const [code, setup, api] = typeof expected === "number" ? [expected, "true", false] : [expected[0], expected[1], expected[2] === true];
            const result = live(example, setup, api);
            expect(result.status, `${example}\n${result.stdout}\n${result.stderr}`).toBe(code);
            const output = LIVE_OUTPUT[example];
            if (output !== undefined) expect(result.stdout, example).toMatch(output);
          }
        }
      } finally {
        rmSync("/var/lib/glance-barclamp", { recursive: true, force: true });
        release();
      }
    },
    300_000,
  );
});

/**
 * The namespace's script: binds LIVE_DIRS to their copies, runs SETUP, starts glance-api as its
 * unit says when START_API is yes (and waits for its image list), runs EXAMPLE, stops the API.
 */
const NAMESPACE = `set -e
for d in $LIVE_DIRS; do mount --bind "$LIVE_COPY$d" "$d"; done
bash -c "$SETUP"
api=
if [ "$START_API" = yes ]; then
  start=$(sed -n 's/^ExecStart=//p' /etc/systemd/system/glance-api.service)
  setsid setpriv --reuid=glance --regid=glance --init-groups $start >/dev/null 2>&1 &
  api=$!
  for i in $(seq 120); do curl -fso /dev/null http://127.0.0.1:9292/v2/images && break; sleep 0.5; done
fi
set +e
bash -o pipefail -c "$EXAMPLE"
code=$?
if [ -n "$api" ]; then kill -TERM -- "-$api" 2>/dev/null; wait "$api" 2>/dev/null; pkill -KILL -g "$api" 2>/dev/null; fi
exit $code`;

/** Copies of this host's live directories (the packages' files with their owners and modes); the ones it lacks start empty. */
const copyLiveDirectories = (copy: string): void => {
  for (const dir of LIVE_DIRS) {
    mkdirSync(join(copy, dir), { recursive: true });
    // The mount point: /var/lib/glance-barclamp is made for the namespace (the live hold keeps other suites off it).
    mkdirSync(dir, { recursive: true });
    if (dir !== "/run" && dir !== "/var/lib/glance-barclamp") expect(spawnSync("cp", ["-a", `${dir}/.`, join(copy, dir)]).status, dir).toBe(0);
  }
};
