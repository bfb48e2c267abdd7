/** Files and directories: every service its own log and config file; the cache apart from the store. */
import { SERVICES } from "../../glance.js";
import type { Finding } from "../resolve.js";
import { G, type Check, type Rule } from "./types.js";

const distinctField =
  (field: "log_file" | "config_file", code: string, what: string): Check =>
  ({ proposal }) => {
    const glance = proposal.attributes.glance;
    const firstUser = new Map<string, string>();
    const findings: Finding[] = [];
    for (const service of SERVICES) {
      const value = glance[service][field];
      const other = firstUser.get(value);
      if (other === undefined) firstUser.set(value, service);
      else
        findings.push({
          path: [...G, service, field],
          severity: "error",
          code,
          message: `the ${service} and the ${other} share the ${what} ${value}`,
          hint:
            field === "log_file"
              ? `give each service its own log file, e.g. /var/log/glance/${service}.log`
              : `give each service its own config file, e.g. /etc/glance/glance-${service}.conf`,
        });
    }
    return findings;
  };

const isSameOrInside = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

const cacheOutsideStore: Check = ({ proposal }) => {
  const { image_cache_datadir: cache, filesystem_store_datadir: store } = proposal.attributes.glance;
  if (isSameOrInside(cache, store))
    return [
      {
        path: [...G, "image_cache_datadir"],
        severity: "error",
        code: "cache-inside-store",
        message: `the image cache ${cache} is ${cache === store ? "the image store" : "inside the image store"} ${store}`,
        hint: "the pruner deletes files in the cache: keep it apart, e.g. /var/lib/glance/image-cache",
      },
    ];
  if (isSameOrInside(store, cache))
    return [
      {
        path: [...G, "filesystem_store_datadir"],
        severity: "error",
        code: "store-inside-cache",
        message: `the image store ${store} is inside the image cache ${cache}`,
        hint: "the pruner deletes files in the cache: keep the store apart, e.g. /var/lib/glance/images",
      },
    ];
  return [];
};

export const FILE_RULES: readonly Rule[] = [
  {
    reads: SERVICES.map((service) => [...G, service, "log_file"]),
    check: distinctField("log_file", "log-files-distinct", "log file"),
  },
  {
    reads: SERVICES.map((service) => [...G, service, "config_file"]),
    check: distinctField("config_file", "config-files-distinct", "config file"),
  },
  { reads: [[...G, "image_cache_datadir"], [...G, "filesystem_store_datadir"]], check: cacheOutsideStore },
];
