/**
 * The images a proposal seeds: validation of the entries (both forms), their place in the plan,
 * and what the seeder does against a stub API where the real Glance cannot be made to fail: an
 * upload that fails deletes the image it created; Glance 2011.3's v1 API gets the image in one
 * request. The real Glance 25 is in test/e2e/real-images.test.ts.
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedImages } from "../../src/images/seed.js";
import { planOf } from "../helpers/plan.js";
import { inventory, proposalWith, validate, SWIFT_STORE } from "../helpers/proposals.js";
import { listen, urlOf } from "../helpers/http.js";
import { newRoot } from "../helpers/roots.js";

describe("image entries", () => {
  it.each([
    ["file:///etc/shadow", "attributes.glance.images[0]", "image-url", "uses file: only http and https are downloaded"],
    ["javascript:alert(1)", "attributes.glance.images[0]", "image-url", "only http and https"],
    ["http://user:pw@host/x.img", "attributes.glance.images[0]", "image-url", "holds a user or password"],
    [{ url: "ftp://host/x.img", name: "x" }, "attributes.glance.images[0].url", "image-url", "only http and https"],
    [{ url: "http://host/x.img", os_hash_algo: "sha512" }, "attributes.glance.images[0]", "image-hash", "go together"],
    [{ url: "http://host/lab.tar.gz", disk_format: "qcow2" }, "attributes.glance.images[0]", "image-bundle-format", "aki, ari and ami"],
  ])("refuses %j", (image, path, code, message) => {
    const result = validate(proposalWith({ images: [image] }));
    expect(result.valid).toBe(false);
    expect(result.issues.find((i) => i.code === code)).toMatchObject({ path, severity: "error", message: expect.stringContaining(message) as string });
  });

  it("accepts http(s) URLs and objects, and skips Crowbar's placeholder with a warning", () => {
    expect(validate(proposalWith({ images: ["https://cloud-images.example/cirros.img", { url: "http://h/lab.tar.gz", name: "lab", checksum: "0".repeat(32) }] })).issues).toEqual([]);
    const placeholder = validate(proposalWith({ images: ["http://<ADMINWEB>/files/ami/ubuntu.tar.gz"] }));
    expect(placeholder.valid).toBe(true);
    expect(placeholder.issues.map((i) => i.code)).toEqual(["image-placeholder"]);
  });

  it("are seeded from the first glance-server only, placeholders left out", () => {
    const shared = inventory({ nodes: { n1: { admin_address: "10.0.0.1" }, n2: { admin_address: "10.0.0.2" } }, mysql: { db: { host: "10.0.0.9", admin_password: "x" } } });
    const proposal = proposalWith({ release: "zed", database: "mysql", mysql_password: "x", ...SWIFT_STORE, images: ["http://h/a.img"] }, { "glance-server": ["n1", "n2"] });
    const seed = (node: string) => planOf(proposal, { node, inventory: shared }).resources.find((r) => r.kind === "images");
    expect(seed("n1")).toMatchObject({ runsHere: true });
    expect(seed("n2")).toMatchObject({ runsHere: false, description: "images are seeded from n1" });
    const single = planOf(proposalWith({ release: "zed", images: ["http://h/a.img", "http://<ADMINWEB>/b.tar.gz"] })).resources.find((r) => r.kind === "images");
    expect(single).toMatchObject({ runsHere: true, images: [{ url: "http://h/a.img" }], skipped: ["http://<ADMINWEB>/b.tar.gz"], api: "http://127.0.0.1:9292", apiVersion: "2" });
    expect(planOf(proposalWith({ images: ["http://h/a.img"] })).resources.find((r) => r.kind === "images")).toMatchObject({ apiVersion: "1" });
  });
});

describe("the seeder against a stub API", () => {
  const requests: string[] = [];
  let failUpload = true;
  let api: Server;
  let www: Server;
  const url = urlOf;
  beforeAll(async () => {
    www = await listen((_q, s) => s.writeHead(200).end(Buffer.alloc(1000, 1)));
    api = await listen((q, s) => {
      q.resume();
      q.on("end", () => {
        requests.push(`${q.method} ${q.url?.split("?")[0]} ${String(q.headers["x-image-meta-disk_format"] ?? "")}`.trim());
        if (q.method === "GET") return void s.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ images: [] }));
        if (q.method === "POST" && q.url === "/v2/images") return void s.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: "new-id", status: "queued" }));
        if (q.method === "PUT") return void s.writeHead(failUpload ? 500 : 204).end();
        if (q.method === "POST" && q.url === "/v1/images") return void s.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ image: { id: 7, status: "active", checksum: "x" } }));
        s.writeHead(204).end();
      });
    });
  });
  afterAll(() => {
    api.close();
    www.close();
  });

  it("deletes the image it created when the upload fails", async () => {
    requests.length = 0;
    failUpload = true;
    const seeding = seedImages({ api: url(api), apiVersion: "2", token: undefined, workingDirectory: newRoot("gb-seed-") }, [{ url: `${url(www)}/a.raw`, name: "a" }], { replace: false, progress: () => undefined });
    await expect(seeding).rejects.toThrow(/answered 500 to PUT \/v2\/images\/new-id\/file/u);
    expect(requests).toEqual(["GET /v2/images", "POST /v2/images", "PUT /v2/images/new-id/file", "DELETE /v2/images/new-id"]);
  });

  it("creates an image in one request on the v1 API of Glance 2011.3", async () => {
    requests.length = 0;
    const results = await seedImages({ api: url(api), apiVersion: "1", token: "t", workingDirectory: newRoot("gb-seed-") }, [{ url: `${url(www)}/b.raw`, name: "b", disk_format: "qcow2" }], { replace: false, progress: () => undefined });
    expect(results).toEqual([{ name: "b", url: `${url(www)}/b.raw`, action: "uploaded", id: "7" }]);
    expect(requests).toEqual(["GET /v1/images/detail", "POST /v1/images qcow2"]);
  });
});
