/**
 * Seeding the proposal's images into the real Glance 25, from a local HTTP server started here: a
 * raw image and an AMI bundle (kernel, ramdisk, machine image in a .tar.gz) become images with
 * their names, formats, checksums and the kernel/ramdisk links; a second sync uploads nothing;
 * index lists them; each failure (unreachable URL, HTTP error, wrong checksum, API down) names the
 * entry and URL and leaves no image behind.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { cleanLive, freePort, holdLiveRoot, startApi, stopApi } from "../helpers/glance-api.js";
import { requireGlanceManage } from "../helpers/glance-db.js";
import { newRoot, writeJson } from "../helpers/roots.js";

const md5 = (data: Buffer): string => createHash("md5").update(data).digest("hex");
const RAW = randomBytes(300_000);
const KERNEL = randomBytes(10_000);
const RAMDISK = randomBytes(20_000);
const MACHINE = randomBytes(50_000);

let server: Server;
let files = "";
let dir = "";
let port = 0;
let api: ChildProcess | undefined;
let release: (() => void) | undefined;
let proposal = "";

const writeProposal = (images: unknown[], name = "proposal.json"): string =>
  writeJson(join(dir, name), {
    id: "bc-glance-e2e-images",
    attributes: {
      glance: {
        release: "zed",
        database: "sqlite",
        use_keystone: false,
        working_directory: `${dir}/lib`,
        pid_directory: `${dir}/run`,
        filesystem_store_datadir: `${dir}/lib/images`,
        sqlite_connection: `sqlite:///${dir}/lib/glance.sqlite`,
        api: { log_file: `${dir}/log/api.log`, config_file: `${dir}/etc/glance-api.conf`, bind_open_address: false, bind_port: port },
        scrubber: { log_file: `${dir}/log/scrubber.log`, config_file: `${dir}/etc/glance-scrubber.conf` },
        reaper: { log_file: `${dir}/log/reaper.log`, config_file: `${dir}/etc/glance-reaper.conf` },
        pruner: { log_file: `${dir}/log/pruner.log`, config_file: `${dir}/etc/glance-pruner.conf` },
        prefetcher: { log_file: `${dir}/log/prefetcher.log`, config_file: `${dir}/etc/glance-prefetcher.conf` },
        images,
      },
    },
    deployment: { glance: { elements: { "glance-server": ["e2e"] } } },
  });

const inventory = () => writeJson(join(dir, "inventory.json"), { nodes: { e2e: { admin_address: "127.0.0.1" } } });
const cli = (...args: string[]) => runCli([...args, "-i", join(dir, "inventory.json"), "--node", "e2e"]);
const listed = () => JSON.parse(cli("index", proposal, "-f", "json").stdout) as Array<{ id: string; name: string; disk_format: string; container_format: string; checksum: string; size: number }>;
const glanceImage = async (id: string) => (await (await fetch(`http://127.0.0.1:${port}/v2/images/${id}`)).json()) as Record<string, unknown>;

beforeAll(async () => {
  requireGlanceManage();
  release = await holdLiveRoot();
  cleanLive();
  dir = newRoot("gb-glance-e2e-images-");
  chmodSync(dir, 0o755);
  files = join(dir, "www");
  mkdirSync(join(files, "bundle"), { recursive: true });
  writeFileSync(join(files, "cirros.raw"), RAW);
  writeFileSync(join(files, "bundle/lab-vmlinuz-virtual"), KERNEL);
  writeFileSync(join(files, "bundle/lab-initrd"), RAMDISK);
  writeFileSync(join(files, "bundle/lab.img"), MACHINE);
  expect(spawnSync("tar", ["-czf", join(files, "lab.tar.gz"), "-C", join(files, "bundle"), "lab-vmlinuz-virtual", "lab-initrd", "lab.img"]).status).toBe(0);
  server = createServer((request, response) => {
    const path = join(files, decodeURIComponent(request.url ?? "/"));
    try {
      const data = readFileSync(path);
      response.writeHead(200, { "content-length": data.length }).end(data);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = await freePort();
  inventory();
  const www = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proposal = writeProposal([`${www}/cirros.raw`, { url: `${www}/lab.tar.gz`, name: "lab" }, "http://<ADMINWEB>/files/ami/ubuntu.tar.gz"]);
  expect(cli("apply", proposal).code).toBe(0);
  expect(cli("db", "sync", proposal).code).toBe(0);
  api = await startApi({ dir, port });
}, 120_000);

afterAll(async () => {
  if (api?.exitCode === null) await stopApi(api);
  server?.close();
  cleanLive();
  release?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("images sync against the real Glance 25", () => {
  it("lists what it would seed without downloading in plan and dry runs", () => {
    const plan = cli("plan", proposal);
    expect(plan.stdout).toMatch(/images\s+images\s+http:\/\/127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+\/cirros\.raw, lab\s+seed 2 image entries \(1 skipped: <ADMINWEB>\)/u);
    const dry = cli("apply", proposal, "--dry-run");
    expect(dry.stdout).toMatch(/not done here: images .*systemd is not running: run glance-barclamp images sync once the API answers; skipped http:\/\/<ADMINWEB>/u);
  });

  it("seeds a raw image and an AMI bundle with their formats, checksums and links, then uploads nothing more", async () => {
    const first = await runCliAsync(["images", "sync", proposal, "-i", join(dir, "inventory.json"), "--node", "e2e", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("skipped http://<ADMINWEB>/files/ami/ubuntu.tar.gz");
    const results = (JSON.parse(first.stdout) as { images: Array<{ name: string; action: string; id: string }> }).images;
    expect(results.map((r) => [r.name, r.action])).toEqual([
      ["cirros", "uploaded"],
      ["lab-kernel", "uploaded"],
      ["lab-ramdisk", "uploaded"],
      ["lab", "uploaded"],
    ]);
    const byName = new Map(listed().map((i) => [i.name, i]));
    expect(byName.get("cirros")).toMatchObject({ disk_format: "raw", container_format: "bare", checksum: md5(RAW), size: RAW.length });
    expect(byName.get("lab-kernel")).toMatchObject({ disk_format: "aki", container_format: "aki", checksum: md5(KERNEL) });
    expect(byName.get("lab-ramdisk")).toMatchObject({ disk_format: "ari", container_format: "ari", checksum: md5(RAMDISK) });
    expect(byName.get("lab")).toMatchObject({ disk_format: "ami", container_format: "ami", checksum: md5(MACHINE) });
    const machine = await glanceImage(byName.get("lab")?.id ?? "");
    expect(machine).toMatchObject({ kernel_id: byName.get("lab-kernel")?.id, ramdisk_id: byName.get("lab-ramdisk")?.id });

    const second = await runCliAsync(["images", "sync", proposal, "-i", join(dir, "inventory.json"), "--node", "e2e", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { images: Array<{ action: string }> }).images.every((r) => r.action === "present")).toBe(true);
    expect(listed()).toHaveLength(4);
  });

  it("names the entry and URL of each failure, and leaves no image behind", async () => {
    const www = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = await freePort();
    const cases: Array<[unknown, string]> = [
      [`http://127.0.0.1:${closed}/gone.raw`, `cannot download image gone from http://127.0.0.1:${closed}/gone.raw: ECONNREFUSED`],
      [`${www}/missing.raw`, `cannot download image missing: ${www}/missing.raw answered 404`],
      [{ url: `${www}/cirros.raw`, name: "wrong-sum", checksum: "0".repeat(32) }, `image wrong-sum from ${www}/cirros.raw has MD5 ${md5(RAW)}, not the proposal's ${"0".repeat(32)}`],
      [{ url: `${www}/cirros.raw`, name: "cirros", checksum: md5(KERNEL) }, `image cirros already exists with checksum ${md5(RAW)}; ${www}/cirros.raw has ${md5(KERNEL)}`],
    ];
    for (const [image, message] of cases) {
      const file = writeProposal([image], "failing.json");
      const result = await runCliAsync(["images", "sync", file, "-i", join(dir, "inventory.json"), "--node", "e2e"]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(message);
      expect(listed().map((i) => i.name).sort()).toEqual(["cirros", "lab", "lab-kernel", "lab-ramdisk"]);
    }
    // The API down: nothing can be created.
    if (api !== undefined) await stopApi(api);
    const down = await runCliAsync(["images", "sync", writeProposal([`${www}/cirros.raw`], "failing.json"), "-i", join(dir, "inventory.json"), "--node", "e2e"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the Glance API at http://127.0.0.1:${port}: ECONNREFUSED`);
    api = await startApi({ dir, port });
    expect(listed()).toHaveLength(4);
  });

  it("replaces an image whose checksum differs when asked", async () => {
    const www = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(files, "cirros2.raw"), KERNEL);
    const file = writeProposal([{ url: `${www}/cirros2.raw`, name: "cirros", checksum: md5(KERNEL) }], "replace.json");
    const result = await runCliAsync(["images", "sync", file, "-i", join(dir, "inventory.json"), "--node", "e2e", "--replace"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/replaced\s+cirros/u);
    expect(listed().find((i) => i.name === "cirros")?.checksum).toBe(md5(KERNEL));
    expect(listed()).toHaveLength(4);
  });
});
