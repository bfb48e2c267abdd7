/** The image store: Swift settings complete when Swift holds the images. */
import type { Finding } from "../resolve.js";
import { G, type Check, type Rule } from "./types.js";

const swiftComplete: Check = ({ proposal }) => {
  const glance = proposal.attributes.glance;
  if (glance.default_store !== "swift") return [];
  const findings: Finding[] = [];
  for (const field of ["swift_store_auth_address", "swift_store_user", "swift_store_container"] as const) {
    if (glance[field].trim() === "")
      findings.push({
        path: [...G, field],
        severity: "error",
        code: "swift-incomplete",
        message: `${field} must not be empty when default_store is "swift"`,
        hint: "fill in the Swift settings, or use the file store",
      });
  }
  return findings;
};

export const STORE_RULES: readonly Rule[] = [
  {
    reads: ["default_store", "swift_store_auth_address", "swift_store_user", "swift_store_container"].map((f) => [...G, f]),
    check: swiftComplete,
  },
];
