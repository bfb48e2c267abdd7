/**
 * The plan: plain, serialisable data listing every resource a node needs, in phase order. Nothing
 * here holds a secret value: secrets appear in file contents as slots (see secrets.ts) that only
 * apply and render fill in.
 */
import type { StoreAccess } from "../swift-access.js";
import type { PeriodicJobName } from "../glance.js";
import type { ImageEntry } from "../proposal/images.js";
import type { IniDialect } from "../render/ini.js";

export const PHASES = ["directories", "configs", "database", "db-sync", "keystone", "units", "periodic", "services", "images"] as const;
type Phase = (typeof PHASES)[number];

/** Octal permission bits as written by an operator, e.g. "0640". */
export type Mode = string;

interface Base {
  /** Stable identifier, unique in a plan, e.g. "file:/etc/glance/glance-api.conf". */
  id: string;
  phase: Phase;
  /** One line for humans. */
  description: string;
}

export interface DirectoryResource extends Base {
  kind: "directory";
  path: string;
  owner: string;
  group: string;
  mode: Mode;
  /** false: only make sure it exists (created root-owned 0755 if missing); never chmod or chown it. */
  manageOwnership: boolean;
}

export type FileRole = "config" | "unit" | "cron" | "timer";

export interface FileResource extends Base {
  kind: "file";
  role: FileRole;
  path: string;
  owner: string;
  group: string;
  mode: Mode;
  content: string;
  /** Names of the secret slots the content holds. */
  secrets: string[];
  /** How a secret filled into this file is escaped (the file's reader); "none" for units and cron. */
  dialect: IniDialect | "none";
  /** Config files: the options whose values every diff masks, whatever the file holds there now. */
  maskedOptions?: readonly string[];
}

export interface AbsentResource extends Base {
  kind: "absent";
  path: string;
}

interface SqliteDatabaseResource extends Base {
  kind: "database";
  engine: "sqlite";
  path: string;
  owner: string;
  group: string;
  mode: Mode;
}

export interface MysqlDatabaseResource extends Base {
  kind: "database";
  engine: "mysql";
  instance: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** Privileges on database.*, as the 2011 barclamp granted them. */
  privileges: string[];
  /** Slot of the admin password and of the Glance user's password. */
  adminUser: string;
  adminPasswordSlot: string;
  passwordSlot: string;
  /** The proposal's SQLite file: kept, never deleted, when a node moves to MySQL. */
  previousSqlite?: string;
}

export type DatabaseResource = SqliteDatabaseResource | MysqlDatabaseResource;

export interface DbSyncResource extends Base {
  kind: "db-sync";
  /** The argv of the real glance-manage. */
  command: string[];
  /** Runs as this user (when applying as root and it exists): files it creates stay Glance's. */
  user: string;
  /** The config file it reads (with the database connection). */
  configFile: string;
  /** The database it migrates, where it is (no password): another database re-runs it. */
  database: string;
  /** Only one node of a multi-node deployment migrates the shared database. */
  runsHere: boolean;
}

export interface ServiceResource extends Base {
  kind: "service";
  /** systemd unit name, e.g. glance-api.service. */
  unit: string;
  /** Ids of the resources whose change restarts it. */
  restartOn: string[];
}

/** Glance's identity in Keystone: its project, user and role, the image service and its endpoints. */
export interface KeystoneResource extends Base {
  kind: "keystone";
  instance: string;
  /** Keystone's URL as services reach it. */
  url: string;
  region: string;
  /** The administrator that registers: a password login (its password's slot), a token's slot, or none (not registered). */
  admin: { user: string; project: string; userDomain: string; projectDomain: string; passwordSlot: string } | { tokenSlot: string } | undefined;
  serviceUser: { name: string; domain: string; project: string; projectDomain: string; passwordSlot: string; roles: string[] };
  service: { type: string; name: string; description: string };
  /** The image endpoints, when this node registers them. */
  endpoints?: { public: string; internal: string; admin: string };
  caFile?: string;
  insecure: boolean;
  /** Registration happens once for a deployment: on the node that migrates the schema. */
  runsHere: boolean;
}

/** The proposal's images, seeded through the API once it answers (from one node: the store is shared). */
export interface ImagesResource extends Base {
  kind: "images";
  /** The API as this node reaches it. */
  api: string;
  apiVersion: "1" | "2";
  images: ImageEntry[];
  /** Entries that cannot be downloaded as written (Crowbar's placeholder). */
  skipped: string[];
  /** Where downloads wait before the upload (the working directory). */
  workingDirectory: string;
  /** With Keystone: the glance user's login, its password's slot. */
  keystone?: { url: string; user: string; domain: string; project: string; projectDomain: string; passwordSlot: string };
  runsHere: boolean;
}

export type Resource =
  | DirectoryResource
  | ImagesResource
  | KeystoneResource
  | FileResource
  | AbsentResource
  | DatabaseResource
  | DbSyncResource
  | ServiceResource;

export type ResourceKind = Resource["kind"];

export type SecretEncoding = "raw" | "url";

/**
 * Where a secret comes from: a field of the proposal or inventory (never its value: an inline secret
 * is read from the document when applying), or generated once and kept.
 */
export type SecretSource =
  | {
      document: "proposal" | "inventory";
      path: string[];
      /** inline: the field holds the value; env/file: the variable name or file path (not secret). */
      via: "inline" | "env" | "file";
      name?: string;
    }
  | { generated: "mysql-password" };

export interface SecretSlot {
  name: string;
  /** What it is, for messages (never the value). */
  description: string;
  source: SecretSource;
}

export interface PeriodicAssignment {
  job: PeriodicJobName;
  /** Whether this node runs it (cache jobs: every node with caching on; scrubber: one node). */
  runsHere: boolean;
  node: string;
  schedule: string;
  command: string[];
  reason: string;
}

export interface Plan {
  proposal: string;
  release: string;
  node: string;
  bindAddresses: { api: string; registry: string | undefined };
  ports: { api: number; registry: number | undefined };
  database: "sqlite" | "mysql";
  keystone: string | undefined;
  periodicMode: "cron" | "systemd-timer" | "none";
  periodic: PeriodicAssignment[];
  /** How the image store is reached: what verify's store check talks to. */
  store: StoreAccess;
  secrets: SecretSlot[];
  resources: Resource[];
}
