/** Small HTTP servers on 127.0.0.1 for tests that stand in for an API or serve files. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const listen = (handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });

export const portOf = (server: Server): number => (server.address() as AddressInfo).port;
export const urlOf = (server: Server): string => `http://127.0.0.1:${portOf(server)}`;
