/**
 * How Glance reaches its Swift store, as the plan carries it for `verify`: the auth endpoint, the
 * version of its protocol, the credentials (the key as a secret slot) and the container. The
 * release modules build it (which fields mean what is release knowledge); the verify check reads it.
 */
export type SwiftAuthVersion = "1" | "2" | "3";

export interface SwiftAccess {
  kind: "swift";
  /** The auth URL as Glance reads it (an address without a scheme already given its scheme). */
  authAddress: string;
  authVersion: SwiftAuthVersion;
  /** account:user (v1, v2) or project:user (v3). */
  user: string;
  keySlot: string;
  container: string;
  createOnPut: boolean;
  userDomain: string;
  projectDomain: string;
  /** Keystone v3: the catalog's object-store endpoint of this region ("" the only one) and interface. */
  region: string;
  interface: "public" | "internal" | "admin";
}

export interface FileStoreAccess {
  kind: "file";
  path: string;
}

export type StoreAccess = SwiftAccess | FileStoreAccess;

/** The auth version an address names: /v1.0 or /auth/v1.0 is 1 (tempauth, swauth), /v2.0 is 2, anything else 3. */
export const swiftAuthVersionOf = (address: string): SwiftAuthVersion => {
  if (/\/v1(?:\.0)?(?:\/|$)/u.test(address)) return "1";
  if (/\/v2(?:\.0)?(?:\/|$)/u.test(address)) return "2";
  return "3";
};

export const INTERFACE_OF = { publicURL: "public", internalURL: "internal", adminURL: "admin" } as const;
