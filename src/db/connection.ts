/** Database connection strings as Glance writes them, parsed; and shown without their password. */
import { usageError } from "../errors.js";

export type ConnectionInfo =
  | { kind: "sqlite"; path: string }
  | { kind: "mysql"; host: string; port: number; user: string; password: string; database: string };

export const parseConnection = (url: string): ConnectionInfo => {
  const sqlite = /^sqlite:\/\/\/(\/.+)$/u.exec(url);
  if (sqlite !== null) return { kind: "sqlite", path: sqlite[1] as string };
  const mysql = /^mysql(?:\+[a-z]+)?:\/\/([^:@/]*)(?::([^@/]*))?@(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/([^?]+)/u.exec(url);
  if (mysql !== null)
    return {
      kind: "mysql",
      user: decodeURIComponent(mysql[1] as string),
      password: decodeURIComponent(mysql[2] ?? ""),
      host: (mysql[3] as string).replace(/^\[|\]$/gu, ""),
      port: Number(mysql[4] ?? 3306),
      database: decodeURIComponent(mysql[5] as string),
    };
  throw usageError("bad-connection", "the connection must be sqlite:////absolute/path or mysql://user:password@host[:port]/database", {
    hint: "e.g. --connection sqlite:////var/lib/glance/glance.sqlite",
  });
};

export const describeConnection = (info: ConnectionInfo): string =>
  info.kind === "sqlite" ? `sqlite:///${info.path}` : `mysql://${info.user}:********@${info.host}:${info.port}/${info.database}`;
