/**
 * Seeds the proposal's images, as the 2011 barclamp's setup recipe did: each listed image is looked
 * up by name (and checksum when given); a missing one is downloaded to a temporary file in the
 * working directory (streamed, hashed on the way, never whole in memory), checked, created and
 * uploaded through the API (v2, or v1 on Glance 2011.3). A .tar.gz AMI bundle becomes a kernel
 * (aki), a ramdisk (ari) and a machine image (ami) that points at them. A created image whose upload
 * failed is deleted: nothing is left half made.
 */
import { spawnSync } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as z from "zod";
import type { ImageEntry } from "../core/proposal/images.js";
import { isBundle } from "../core/proposal/images.js";
import { failureError } from "../errors.js";
import { describeFetchError } from "../fetch-error.js";

export interface SeedTarget {
  api: string;
  apiVersion: "1" | "2";
  token: string | undefined;
  workingDirectory: string;
}

export interface SeedOptions {
  /** Replace an image of the same name whose checksum differs, instead of failing. */
  replace: boolean;
  /** A line of progress for the operator (stderr). */
  progress: (line: string) => void;
}

export interface SeedResult {
  name: string;
  url: string;
  action: "uploaded" | "present" | "replaced";
  id: string;
}

const ImageV2 = z.object({ id: z.string(), name: z.string().nullish(), status: z.string(), checksum: z.string().nullish() });
const ListV2 = z.object({ images: z.array(ImageV2) });
const ImageV1 = z.object({ id: z.union([z.string(), z.number()]), name: z.string().nullish(), status: z.string(), checksum: z.string().nullish() });
const ListV1 = z.object({ images: z.array(ImageV1) });
const CreatedV1 = z.object({ image: ImageV1 });

type RequestBody = NonNullable<RequestInit["body"]>;
type Found = { id: string; status: string; checksum: string | undefined };


interface Downloaded {
  path: string;
  size: number;
  md5: string;
  hashes: Record<string, string>;
}

const HASH_ALGOS = ["sha256", "sha384", "sha512"] as const;

class Api {
  constructor(private readonly target: SeedTarget) {}

  async request(method: string, path: string, init: { body?: RequestBody; headers?: Record<string, string>; expect: readonly number[] }): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.target.api}${path}`, {
        method,
        headers: { ...(this.target.token === undefined ? {} : { "x-auth-token": this.target.token }), ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body, duplex: "half" }),
      });
    } catch (error) {
      throw failureError("api-unreachable", `cannot reach the Glance API at ${this.target.api}: ${describeFetchError(error)}`, { hint: "start glance-api, then run images sync again" });
    }
    if (!init.expect.includes(response.status)) {
      await response.arrayBuffer();
      throw failureError("api-error", `the Glance API at ${this.target.api} answered ${response.status} to ${method} ${path.split("?")[0] ?? path}`);
    }
    return response;
  }

  async json<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw failureError("api-answer", `the Glance API at ${this.target.api} answered ${what} with an unexpected body`);
    return parsed.data;
  }

  async find(name: string): Promise<Found | undefined> {
    const q = encodeURIComponent(name);
    if (this.target.apiVersion === "2") {
      const list = await this.json(await this.request("GET", `/v2/images?name=${q}`, { expect: [200] }), ListV2, "the image list");
      const image = list.images.find((i) => i.name === name && i.status !== "deleted");
      return image === undefined ? undefined : { id: image.id, status: image.status, checksum: image.checksum ?? undefined };
    }
    const list = await this.json(await this.request("GET", `/v1/images/detail?name=${q}`, { expect: [200] }), ListV1, "the image list");
    const image = list.images.find((i) => i.name === name && i.status !== "deleted");
    return image === undefined ? undefined : { id: String(image.id), status: image.status, checksum: image.checksum ?? undefined };
  }

  async remove(id: string): Promise<void> {
    await this.request("DELETE", this.target.apiVersion === "2" ? `/v2/images/${id}` : `/v1/images/${id}`, { expect: [200, 204, 404] });
  }

  /** Creates the image and uploads its data; a failed upload deletes what was created. */
  async upload(meta: Record<string, string | number>, file: Downloaded): Promise<string> {
    const body = (): RequestBody => Readable.toWeb(createReadStream(file.path));
    if (this.target.apiVersion === "1") {
      const headers: Record<string, string> = { "content-type": "application/octet-stream", "x-image-meta-size": String(file.size) };
      for (const [key, value] of Object.entries(meta)) {
        const known = ["name", "disk_format", "container_format", "min_disk", "min_ram"].includes(key);
        if (key === "visibility") headers["x-image-meta-is_public"] = String(value === "public");
        else headers[known ? `x-image-meta-${key}` : `x-image-meta-property-${key}`] = String(value);
      }
      const created = await this.json(await this.request("POST", "/v1/images", { body: body(), headers, expect: [201] }), CreatedV1, "the new image");
      return String(created.image.id);
    }
    const created = await this.json(
      await this.request("POST", "/v2/images", { body: JSON.stringify(meta), headers: { "content-type": "application/json" }, expect: [201] }),
      ImageV2,
      "the new image",
    );
    try {
      await this.request("PUT", `/v2/images/${created.id}/file`, { body: body(), headers: { "content-type": "application/octet-stream" }, expect: [204] });
      const stored = await this.find(String(meta.name));
      if (stored?.checksum !== file.md5) throw failureError("image-checksum", `Glance stored image ${String(meta.name)} with checksum ${stored?.checksum ?? "none"}, not ${file.md5}`);
    } catch (error) {
      await this.remove(created.id).catch(() => undefined);
      throw error;
    }
    return created.id;
  }
}

const download = async (url: string, label: string, dir: string, progress: (line: string) => void): Promise<Downloaded> => {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw failureError("image-download", `cannot download ${label} from ${url}: ${describeFetchError(error)}`);
  }
  if (!response.ok || response.body === null) {
    await response.arrayBuffer().catch(() => undefined);
    throw failureError("image-download", `cannot download ${label}: ${url} answered ${response.status}`);
  }
  const path = join(dir, "download");
  const md5 = createHash("md5");
  const hashes: Record<string, Hash> = Object.fromEntries(HASH_ALGOS.map((a) => [a, createHash(a)]));
  const total = Number(response.headers.get("content-length") ?? Number.NaN);
  let size = 0;
  let reported = Date.now();
  const source = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
  source.on("data", (chunk: Buffer) => {
    size += chunk.length;
    md5.update(chunk);
    for (const hash of Object.values(hashes)) hash.update(chunk);
    if (Date.now() - reported >= 1000) {
      reported = Date.now();
      progress(`${label}: ${(size / 1048576).toFixed(1)} MiB${Number.isFinite(total) ? ` of ${(total / 1048576).toFixed(1)} MiB` : ""}`);
    }
  });
  try {
    await pipeline(source, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    throw failureError("image-download", `the download of ${label} from ${url} broke off: ${describeFetchError(error)}`);
  }
  return { path, size, md5: md5.digest("hex"), hashes: Object.fromEntries(Object.entries(hashes).map(([a, h]) => [a, h.digest("hex")])) };
};

const hashFile = async (path: string): Promise<Downloaded> => {
  const md5 = createHash("md5");
  const hashes: Record<string, Hash> = Object.fromEntries(HASH_ALGOS.map((a) => [a, createHash(a)]));
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    for (const hash of Object.values(hashes)) hash.update(chunk);
  }
  return { path, size: statSync(path).size, md5: md5.digest("hex"), hashes: Object.fromEntries(Object.entries(hashes).map(([a, h]) => [a, h.digest("hex")])) };
};

const checkDigest = (entry: ImageEntry, file: Downloaded, label: string): void => {
  if (entry.checksum !== undefined && entry.checksum !== file.md5)
    throw failureError("image-checksum", `${label} from ${entry.url} has MD5 ${file.md5}, not the proposal's ${entry.checksum}`, { hint: "nothing was uploaded; check the URL or the checksum" });
  if (entry.os_hash_algo !== undefined && entry.os_hash_value !== undefined && file.hashes[entry.os_hash_algo] !== entry.os_hash_value)
    throw failureError("image-checksum", `${label} from ${entry.url} has ${entry.os_hash_algo} ${file.hashes[entry.os_hash_algo] ?? "?"}, not the proposal's ${entry.os_hash_value}`, {
      hint: "nothing was uploaded; check the URL or the hash",
    });
};

const nameFromUrl = (url: string): string => decodeURIComponent(basename(new URL(url).pathname)).replace(/\.(?:tar\.gz|tgz|img|qcow2|raw|iso)$/u, "");

/** Looks the image up; decides whether it is present, conflicting, or to be (re)uploaded. */
const existing = async (api: Api, name: string, checksum: string | undefined, options: SeedOptions, url: string): Promise<{ present?: Found; replace?: Found }> => {
  const found = await api.find(name);
  if (found === undefined) return {};
  if (found.status !== "active") return { replace: found };
  if (checksum === undefined || found.checksum === checksum) return { present: found };
  if (options.replace) return { replace: found };
  throw failureError("image-conflict", `image ${name} already exists with checksum ${found.checksum ?? "none"}; ${url} has ${checksum}`, {
    hint: "run images sync --replace to replace it, or name this image differently",
  });
};

const seedOne = async (api: Api, entry: ImageEntry, options: SeedOptions, dir: string): Promise<SeedResult> => {
  const name = entry.name ?? nameFromUrl(entry.url);
  const before = await existing(api, name, entry.checksum, options, entry.url);
  if (before.present !== undefined && before.replace === undefined) return { name, url: entry.url, action: "present", id: before.present.id };
  const file = await download(entry.url, `image ${name}`, dir, options.progress);
  checkDigest(entry, file, `image ${name}`);
  const after = before.replace;
  if (after !== undefined) await api.remove(after.id);
  const meta = {
    name,
    disk_format: entry.disk_format ?? "raw",
    container_format: entry.container_format ?? "bare",
    ...(entry.visibility === undefined ? {} : { visibility: entry.visibility }),
    ...(entry.min_disk === undefined ? {} : { min_disk: entry.min_disk }),
    ...(entry.min_ram === undefined ? {} : { min_ram: entry.min_ram }),
    ...entry.properties,
  };
  const id = await api.upload(meta, file);
  return { name, url: entry.url, action: after === undefined ? "uploaded" : "replaced", id };
};

/** The three files of an AMI bundle, by what their names say (as the 2011 recipe picked them). */
const bundleParts = (dir: string): { kernel: string; ramdisk: string | undefined; machine: string } => {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  const kernel = files.find((f) => /vmlinu[xz]|kernel/iu.test(basename(f)));
  const ramdisk = files.find((f) => /initrd|ramdisk/iu.test(basename(f)));
  const machine = files.filter((f) => f !== kernel && f !== ramdisk && /\.img$/iu.test(f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (kernel === undefined || machine === undefined) throw failureError("image-bundle", `the bundle holds no ${kernel === undefined ? "kernel (vmlinuz)" : "machine image (.img)"}`);
  return { kernel, ramdisk, machine };
};

const seedBundle = async (api: Api, entry: ImageEntry, options: SeedOptions, dir: string): Promise<SeedResult[]> => {
  const archive = await download(entry.url, `bundle ${entry.url}`, dir, options.progress);
  checkDigest(entry, archive, `the bundle`);
  const out = join(dir, "bundle");
  rmSync(out, { recursive: true, force: true });
  spawnSync("mkdir", ["-p", out]);
  // GNU tar refuses members that climb out with "..", and files keep no owner from the archive.
  const untar = spawnSync("tar", ["-xzf", archive.path, "-C", out, "--no-same-owner", "--no-same-permissions"], { encoding: "utf8" });
  if (untar.status !== 0) throw failureError("image-bundle", `cannot unpack the bundle from ${entry.url}: ${untar.stderr.trim()}`);
  const parts = bundleParts(out);
  const names = {
    kernel: entry.name === undefined ? basename(parts.kernel) : `${entry.name}-kernel`,
    ramdisk: parts.ramdisk === undefined ? undefined : entry.name === undefined ? basename(parts.ramdisk) : `${entry.name}-ramdisk`,
    machine: entry.name ?? basename(parts.machine).replace(/\.img$/iu, ""),
  };
  const results: SeedResult[] = [];
  const one = async (path: string, name: string, format: "aki" | "ari" | "ami", properties: Record<string, string>): Promise<SeedResult> => {
    const file = await hashFile(path);
    const state = await existing(api, name, file.md5, options, entry.url);
    if (state.present !== undefined && state.replace === undefined) return { name, url: entry.url, action: "present", id: state.present.id };
    if (state.replace !== undefined) await api.remove(state.replace.id);
    const id = await api.upload({ name, disk_format: format, container_format: format, ...(entry.visibility === undefined ? {} : { visibility: entry.visibility }), ...entry.properties, ...properties }, file);
    return { name, url: entry.url, action: state.replace === undefined ? "uploaded" : "replaced", id };
  };
  const kernel = await one(parts.kernel, names.kernel, "aki", {});
  results.push(kernel);
  const ramdisk = parts.ramdisk === undefined || names.ramdisk === undefined ? undefined : await one(parts.ramdisk, names.ramdisk, "ari", {});
  if (ramdisk !== undefined) results.push(ramdisk);
  results.push(await one(parts.machine, names.machine, "ami", { kernel_id: kernel.id, ...(ramdisk === undefined ? {} : { ramdisk_id: ramdisk.id }) }));
  return results;
};

export const seedImages = async (target: SeedTarget, images: readonly ImageEntry[], options: SeedOptions): Promise<SeedResult[]> => {
  const api = new Api(target);
  const results: SeedResult[] = [];
  for (const entry of images) {
    // Each download in a directory of its own below the working directory, removed afterwards.
    const dir = mkdtempSync(join(target.workingDirectory, ".glance-barclamp-image-"));
    try {
      if (isBundle(entry.url)) results.push(...(await seedBundle(api, entry, options, dir)));
      else results.push(await seedOne(api, entry, options, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
};
