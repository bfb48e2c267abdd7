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

/**
 * Swift's credentials: every auth version takes the user as account:user (tempauth's account, or
 * the Keystone project); a Keystone-backed store needs the Keystone instance it takes them from.
 */
const swiftCredentials: Check = ({ proposal, resolution }) => {
  const glance = proposal.attributes.glance;
  if (glance.default_store !== "swift") return [];
  if (glance.swift_store_use_keystone)
    return resolution.keystone === undefined
      ? [
          {
            path: [...G, "swift_store_use_keystone"],
            severity: "error",
            code: "swift-keystone-missing",
            message: "swift_store_use_keystone takes Swift's credentials from a Keystone instance, and none is in use",
            hint: "add a keystone instance to the inventory (and use_keystone true or auto), or give Swift's own address, user and key",
          },
        ]
      : [];
  const user = glance.swift_store_user;
  if (user === "" || /^[^:]+:[^:]+$/u.test(user)) return [];
  return [
    {
      path: [...G, "swift_store_user"],
      severity: "error",
      code: "swift-user-format",
      message: `"${user}" is not account:user: Swift's auth (v1, and Keystone's project:user) never accepts it`,
      hint: `name the account too, e.g. "${user.includes(":") ? "glance:glance" : `${user}:${user}`}"`,
    },
  ];
};

export const STORE_RULES: readonly Rule[] = [
  {
    reads: ["default_store", "swift_store_user", "swift_store_use_keystone"].map((f) => [...G, f]),
    check: swiftCredentials,
  },
  {
    reads: ["default_store", "swift_store_auth_address", "swift_store_user", "swift_store_container"].map((f) => [...G, f]),
    check: swiftComplete,
  },
];
