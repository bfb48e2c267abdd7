/**
 * Remote listing through the Glance API, like 2011's `glance index -H HOST -p PORT -A TOKEN`: v1
 * (/v1/images/detail) of Glance 2011.3, or v2 (/v2/images, following `next`) of every later Glance.
 */
import { failureError } from "../errors.js";
import type { Image, ListOptions } from "./images.js";

export interface RemoteTarget {
  /** The API's URL: http://HOST:PORT (-H, -p), or the image endpoint of a Keystone catalog. */
  base: string;
  token: string | undefined;
  apiVersion: 1 | 2;
}

interface ApiImage {
  /** An integer in 2011.3's v1 API, a UUID since. */
  id: string | number;
  name?: string | null;
  disk_format?: string | null;
  container_format?: string | null;
  size?: number | null;
  status: string;
  checksum?: string | null;
  visibility?: string;
  is_public?: boolean;
  created_at: string;
  deleted?: boolean;
}

/** fetch fails with a TypeError whose cause (an Error with a code) says what went wrong. */
const describeFetchError = (error: unknown): string => {
  const cause = (error as Error).cause;
  return cause instanceof Error ? String(cause) : (error as Error).message;
};

const fetchJson = async (url: URL, token: string | undefined): Promise<unknown> => {
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { "X-Auth-Token": token } });
  } catch (error) {
    throw failureError("api-unreachable", `cannot reach the Glance API at ${url.host}: ${describeFetchError(error)}`);
  }
  if (!response.ok) throw failureError("api-error", `the Glance API at ${url.host} answered ${response.status} ${response.statusText} for ${url.pathname}`);
  return response.json();
};

const toImage = (image: ApiImage): Image => ({
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

export async function* listRemoteImages(target: RemoteTarget, options: ListOptions): AsyncGenerator<Image[]> {
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
    const page = (await fetchJson(url, target.token)) as { images: ApiImage[]; next?: string };
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
