/** The proposal's images as the seeder takes them: one shape for the 2011 URL form and the object form. */
import type { GlanceAttributes } from "./schema.js";

export type ImageEntry = Exclude<GlanceAttributes["images"][number], string>;

/** Crowbar's template left its admin web server as a placeholder, resolved only by Crowbar. */
export const PLACEHOLDER = "<ADMINWEB>";

export const imageEntries = (glance: GlanceAttributes): ImageEntry[] => glance.images.map((image) => (typeof image === "string" ? { url: image } : image));

/** A .tar.gz (or .tgz) URL is an AMI bundle: a kernel, a ramdisk and a machine image. */
export const isBundle = (url: string): boolean => /\.(?:tar\.gz|tgz)(?:\?.*)?$/u.test(url);

/** Why a URL cannot be downloaded from, or undefined: http or https, a host, no credentials in it. */
export const urlProblem = (url: string): string | undefined => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `uses ${parsed.protocol.replace(/:$/u, "")}: only http and https are downloaded (reading local files as root would publish them)`;
  if (parsed.hostname === "") return "has no host";
  if (parsed.username !== "" || parsed.password !== "") return "holds a user or password: the seeder downloads without credentials";
  return undefined;
};
