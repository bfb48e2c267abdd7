/** Where a client on this node reaches a service bound to an address (a wildcard means loopback), bracketed for a URL. */
export const reachable = (address: string): string => {
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
  return host.includes(":") ? `[${host}]` : host;
};
