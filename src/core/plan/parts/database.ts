/** The database resource (SQLite file, or MySQL database, user and grants) and the schema sync. */
import type { Proposal } from "../../proposal/schema.js";
import type { Resolution } from "../../proposal/resolve.js";
import { glanceServers } from "../../proposal/elements.js";
import type { ReleaseModule } from "../../releases/types.js";
import { SECRET } from "../../render/secret-slots.js";
import type { DatabaseResource, DbSyncResource } from "../types.js";

/** The privileges the 2011 barclamp granted on the Glance database. */
const MYSQL_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "INDEX", "ALTER"];

export const databaseResource = (proposal: Proposal, resolution: Resolution): DatabaseResource =>
  resolution.database.kind === "sqlite"
    ? {
        kind: "database",
        engine: "sqlite",
        id: "database:glance",
        phase: "database",
        path: resolution.database.file,
        owner: "glance",
        group: "glance",
        mode: "0640",
        description: "SQLite database file",
      }
    : {
        kind: "database",
        engine: "mysql",
        id: "database:glance",
        phase: "database",
        instance: resolution.database.instanceName,
        host: resolution.database.instance?.host ?? "",
        port: resolution.database.instance?.port ?? 3306,
        database: resolution.database.database,
        user: resolution.database.user,
        privileges: MYSQL_PRIVILEGES,
        adminUser: resolution.database.instance?.admin_user ?? "root",
        adminPasswordSlot: SECRET.mysqlAdminPassword,
        passwordSlot: SECRET.mysqlPassword,
        previousSqlite: proposal.attributes.glance.sqlite_connection.slice("sqlite:///".length),
        description: `MySQL database ${resolution.database.database} and user ${resolution.database.user}`,
      };

/** Only the first glance-server migrates a shared database. */
export const dbSyncResource = (proposal: Proposal, module: ReleaseModule, node: string, syncConfig: string, database: DatabaseResource): DbSyncResource => {
  const servers = glanceServers(proposal);
  return {
    kind: "db-sync",
    id: "db-sync",
    phase: "db-sync",
    command: [module.manageBinary, "--config-file", syncConfig, "db_sync"],
    user: "glance",
    configFile: syncConfig,
    database: database.engine === "sqlite" ? `sqlite://${database.path}` : `mysql://${database.user}@${database.host}:${database.port}/${database.database}`,
    runsHere: servers.length === 0 || servers[0] === node,
    description: servers.length > 1 && servers[0] !== node ? `schema migrations run on ${servers[0]}` : "create or migrate the schema",
  };
};
