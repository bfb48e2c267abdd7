/**
 * `index -H` against the v1 API of Glance 2011.3. No 2011.3 server can run here, so a small HTTP
 * server answers /v1/images/detail as 2011.3's documents it (limit and marker paging, is_public);
 * the v2 path is exercised against the real Glance 25 in test/e2e/real-glance.test.ts.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliAsync } from "../helpers/cli.js";
import { listen, portOf } from "../helpers/http.js";

const IMAGES = Array.from({ length: 7 }, (_, i) => ({
  id: i + 1,
  name: `image-${i + 1}`,
  disk_format: "ami",
  container_format: "ami",
  size: 1000 + i,
  status: "active",
  checksum: `c${i}`,
  is_public: i % 2 === 0,
  created_at: `2011-12-0${i + 1}T10:00:00`,
  deleted: false,
}));

const requests: Array<{ path: string; token: string | undefined }> = [];
let port = 0;
const server = createServer((request: IncomingMessage, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  requests.push({ path: `${url.pathname}${url.search}`, token: request.headers["x-auth-token"] as string | undefined });
  if (url.pathname !== "/v1/images/detail") {
    response.writeHead(404).end();
    return;
  }
  const limit = Number(url.searchParams.get("limit") ?? 25);
  const marker = url.searchParams.get("marker");
  const start = marker === null ? 0 : IMAGES.findIndex((i) => String(i.id) === marker) + 1;
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ images: IMAGES.slice(start, start + limit) }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("index -H on the v1 API", () => {
  it("pages through /v1/images/detail with the token and maps 2011.3's fields", async () => {
    const result = await runCliAsync(["index", "-H", "127.0.0.1", "-p", String(port), "-A", "tok-123", "--api-version", "1", "--limit", "5", "-f", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const images = JSON.parse(result.stdout) as Array<{ id: string; visibility: string; size: number }>;
    expect(images.map((i) => i.id)).toEqual(["1", "2", "3", "4", "5"]);
    expect(images[0]).toMatchObject({ visibility: "public", size: 1000 });
    expect(images[1]).toMatchObject({ visibility: "private" });
    expect(requests.every((r) => r.token === "tok-123")).toBe(true);
    expect(requests[0]?.path).toBe("/v1/images/detail?limit=5&sort_key=created_at&sort_dir=desc");
  });

  it("follows the marker across pages until the images run out", async () => {
    requests.length = 0;
    const result = await runCliAsync(["index", "-H", "127.0.0.1", "-p", String(port), "--api-version", "1", "-f", "csv"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\r\n")).toHaveLength(8);
  });

  it("refuses --all, which the API cannot answer, and reports an unreachable API", async () => {
    expect((await runCliAsync(["index", "-H", "127.0.0.1", "-p", String(port), "--all"])).code).toBe(2);
    const down = await runCliAsync(["index", "-H", "127.0.0.1", "-p", "1", "--api-version", "1"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("error[api-unreachable]: cannot reach the Glance API at 127.0.0.1:1");
  });

  it.each([
    ["a page that is not JSON", "<html>a proxy's error page</html>", "with something that is not JSON"],
    ["an image list that is not a list", JSON.stringify({ images: "none" }), "with an unexpected image list (images:"],
    ["an image whose name is an object", JSON.stringify({ images: [{ ...IMAGES[0], name: { x: 1 } }] }), "with an unexpected image list (images.0.name:"],
    ["a next page on another host", JSON.stringify({ images: [], next: "http://elsewhere.example/v2/images" }), "with an unexpected image list (next:"],
  ])("fails with exit 1 and the host when the API answers %s", async (_name, body, message) => {
    const bad = await listen((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(body));
    try {
      for (const version of ["1", "2"]) {
        const result = await runCliAsync(["index", "-H", "127.0.0.1", "-p", String(portOf(bad)), "-A", "t", "--api-version", version]);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(`error[api-bad-answer]: the Glance API at 127.0.0.1:${portOf(bad)} answered`);
        expect(result.stderr).toContain(message);
      }
    } finally {
      await new Promise<void>((resolve) => bad.close(() => resolve()));
    }
  });
});
