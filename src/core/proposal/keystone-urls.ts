import type { KeystoneInstance } from "./inventory.js";

/**
 * Keystone's one endpoint as the world reaches it (www_authenticate_uri, the public catalog), and
 * as services reach it (auth_url, registration): the internal URL when the inventory names one.
 */
export const keystoneUrls = (instance: KeystoneInstance): { public: string; internal: string } => {
  const host = instance.host.includes(":") ? `[${instance.host}]` : instance.host;
  const base = `${instance.protocol}://${host}:${instance.port ?? instance.public_port}${instance.path}`;
  return { public: base, internal: (instance.internal_url ?? base).replace(/\/+$/u, "") };
};
