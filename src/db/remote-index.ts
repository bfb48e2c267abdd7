/**
 * Remote listing through the Glance API, like 2011's `glance index -H HOST -p PORT -A TOKEN`: v1
 * (/v1/images/detail) of Glance 2011.3, or v2 (/v2/images, following `next`) of every later Glance.
 */
import * as z from "zod";
import { failureError } from "../errors.js";
import { describeFetchError } from "../fetch-error.js";
import { DEFAULT_COLUMNS, tableColumns, resolveColumns, type Row, type ListOptions } from "./images.js";

export interface RemoteTarget {
  /** The API's URL: http://HOST:PORT (-H, -p), or the image endpoint of a Keystone catalog. */
  base: string;
  token: string | undefined;
  apiVersion: 1 | 2;
}

/** An API's answer is untrusted input: parsed, never cast. */
const API_IMAGE = z.object({
  /** An integer in 2011.3's v1 API, a UUID since. */
  id: z.union([z.string().min(1), z.int()]),
  name: z.string().nullish(),
  disk_format: z.string().nullish(),
  container_format: z.string().nullish(),
  size: z.int().min(0).nullish(),
  status: z.string(),
  checksum: z.string().nullish(),
  visibility: z.string().optional(),
  is_public: z.boolean().optional(),
  created_at: z.string(),
  deleted: z.boolean().optional(),
});
type ApiImage = z.infer<typeof API_IMAGE>;

/** `next` is a path on the same API: an answer cannot send the listing to another host. */
const PAGE = z.object({ images: z.array(API_IMAGE), next: z.string().startsWith("/").optional() });

const fetchJson = async (url: URL, token: string | undefined): Promise<unknown> => {
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { "X-Auth-Token": token } });
  } catch (error) {
    throw failureError("api-unreachable", `cannot reach the Glance API at ${url.host}: ${describeFetchError(error)}`);
  }
  if (!response.ok) throw failureError("api-error", `the Glance API at ${url.host} answered ${response.status} ${response.statusText} for ${url.pathname}`);
  try {
    return await response.json();
  } catch {
    throw failureError("api-bad-answer", `the Glance API at ${url.host} answered ${url.pathname} with something that is not JSON`, {
      hint: "check that -H and -p (or the catalog's endpoint) name a Glance API, not another server",
    });
  }
};

const parsePage = (answer: unknown, url: URL): z.infer<typeof PAGE> => {
  const result = PAGE.safeParse(answer);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw failureError(
    "api-bad-answer",
    `the Glance API at ${url.host} answered ${url.pathname} with an unexpected image list (${issue === undefined ? "" : `${issue.path.join(".")}: ${issue.message}`})`,
    { hint: "check that it is a Glance API of the version given (--api-version)" },
  );
};

/** What the API's images are shown with: the database's default columns, as the current schema names them. */
const API_SCHEMA = { kind: "current" as const, columns: [...DEFAULT_COLUMNS], nullable: [...DEFAULT_COLUMNS], version: undefined, tool: undefined };
export const API_COLUMNS = resolveColumns(API_SCHEMA, undefined);
export const API_TABLE_COLUMNS = tableColumns(API_SCHEMA, undefined);

const toImage = (image: ApiImage): Row => ({
  id: String(image.id),
  name: image.name ?? null,
  disk_format: image.disk_format ?? null,
  container_format: image.container_format ?? null,
  size: image.size ?? null,
  status: image.status,
  checksum: image.checksum ?? null,
  visibility: image.visibility ?? (image.is_public === true ? "public" : "private"),
  created_at: image.created_at,
  deleted: image.deleted ?? false,
});

export async function* listRemoteImages(target: RemoteTarget, options: ListOptions): AsyncGenerator<Row[]> {
  const base = target.base.replace(/\/+$/u, "");
  const pageSize = Math.min(options.limit ?? 1000, 1000);
  let remaining = options.limit ?? Infinity;
  // Paths are appended, so that an endpoint below a path (http://lb/image) keeps it.
  let url: URL | undefined = new URL(`${base}${target.apiVersion === 2 ? "/v2/images" : "/v1/images/detail"}`);
  url.searchParams.set("limit", String(pageSize));
  url.searchParams.set("sort_key", options.sortKey);
  url.searchParams.set("sort_dir", options.sortDir);
  if (options.marker !== undefined) url.searchParams.set("marker", options.marker);
  if (options.name !== undefined) url.searchParams.set("name", options.name);
  if (options.status !== undefined) url.searchParams.set("status", options.status);
  while (url !== undefined && remaining > 0) {
    const page = parsePage(await fetchJson(url, target.token), url);
    const images = page.images.slice(0, remaining === Infinity ? undefined : remaining).map(toImage);
    remaining -= images.length;
    yield images;
    if (target.apiVersion === 2) url = page.next === undefined ? undefined : new URL(`${new URL(base).origin}${new URL(base).pathname.replace(/\/+$/u, "")}${page.next}`);
    else if (page.images.length < pageSize) url = undefined;
    else {
      url = new URL(url);
      url.searchParams.set("marker", String(page.images[page.images.length - 1]?.id));
    }
  }
}
