/**
 * The inventory stands in for the Crowbar server: which nodes exist and their addresses, and the
 * MySQL and Keystone instances a proposal can name.
 */
import * as z from "zod";
import { host, httpUrl, instanceName, ipAddress, nodeName, port, readablePath, secretRef, text } from "./fields.js";

const InventoryNodeSchema = z
  .strictObject({
    admin_address: ipAddress().meta({ description: "Address on the admin network: the bind address when bind_open_address is false." }),
    public_address: ipAddress().optional().meta({ description: "Address on the public network." }),
  })
  .meta({ description: "A node that can hold the glance-server role." });

const MysqlInstanceSchema = z
  .strictObject({
    host: host().meta({ description: "Host name or address of the MySQL/MariaDB server." }),
    port: port().default(3306).meta({ description: "TCP port of the server." }),
    admin_user: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,32}$/u, { error: "must be a MySQL user name" })
      .default("root")
      .meta({ description: "Account that may create databases, users and grants." }),
    admin_password: secretRef().meta({ description: "Password of the admin account. Secret." }),
  })
  .meta({ description: "A MySQL/MariaDB instance Glance can keep its database in." });

const keystoneName = () => text(255).min(1);

const KeystoneInstanceSchema = z
  .strictObject({
    host: host().meta({ description: "Host name or address of Keystone." }),
    protocol: z.enum(["http", "https"]).default("http").meta({ description: "Protocol of Keystone's endpoint." }),
    port: port()
      .optional()
      .meta({ description: "Port of Keystone's one endpoint (current Keystone serves a single port); default: public_port." }),
    path: z
      .string()
      .regex(/^(?:\/[A-Za-z0-9._~-]+)*$/u, { error: "must be empty or a URL path such as /identity (no trailing /)" })
      .default("")
      .meta({ description: "Path of Keystone's endpoint below host and port, e.g. /identity." }),
    internal_url: httpUrl()
      .optional()
      .meta({ description: "URL services use to reach Keystone (auth_url, and registration), when it differs from the public one." }),
    ca_file: readablePath().optional().meta({ description: "CA bundle that signs Keystone's https certificate." }),
    insecure: z.boolean().default(false).meta({ description: "Skip the verification of Keystone's https certificate (tests only)." }),
    public_port: port().default(5000).meta({ description: "Keystone's public (service) API port." }),
    admin_port: port().default(35357).meta({ description: "Keystone's admin API port (Glance 2011.3's middleware only)." }),
    admin_token: secretRef().optional().meta({ description: "Keystone admin token (the 2011 middleware validates tokens with it). Secret." }),
    admin_user: keystoneName().optional().meta({ description: "Keystone administrator that registers Glance (user, role, service, endpoints)." }),
    admin_password: secretRef().optional().meta({ description: "Password of admin_user. Secret." }),
    admin_project: keystoneName().default("admin").meta({ description: "Project admin_user's token is scoped to." }),
    admin_user_domain: keystoneName().default("Default").meta({ description: "Domain of admin_user." }),
    admin_project_domain: keystoneName().default("Default").meta({ description: "Domain of admin_project." }),
    service_user: keystoneName().default("glance").meta({ description: "User Glance authenticates to Keystone as." }),
    service_password: secretRef().optional().meta({ description: "Password of the service user. Secret." }),
    service_tenant: keystoneName().default("service").meta({ description: "Tenant (project) of the service user." }),
    user_domain: keystoneName().default("Default").meta({ description: "Domain of the service user (Keystone v3)." }),
    project_domain: keystoneName().default("Default").meta({ description: "Domain of the service tenant (Keystone v3)." }),
    region: keystoneName().default("RegionOne").meta({ description: "Region the image endpoints are registered in." }),
    memcached_servers: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/u, { error: "must be HOST:PORT" }))
      .optional()
      .meta({ description: "memcached servers that cache validated tokens (HOST:PORT each)." }),
    memcache_security_strategy: z
      .enum(["MAC", "ENCRYPT"])
      .optional()
      .meta({ description: "Protects the cached tokens: MAC (authenticated) or ENCRYPT; needs memcache_secret_key." }),
    memcache_secret_key: secretRef().optional().meta({ description: "Key of memcache_security_strategy. Secret." }),
  })
  .superRefine((instance, context) => {
    if ((instance.admin_user === undefined) !== (instance.admin_password === undefined))
      context.addIssue({
        code: "custom",
        path: [instance.admin_user === undefined ? "admin_user" : "admin_password"],
        message: "admin_user and admin_password go together (the administrator that registers Glance)",
      });
    if (instance.memcache_security_strategy !== undefined && instance.memcache_secret_key === undefined)
      context.addIssue({ code: "custom", path: ["memcache_secret_key"], message: "memcache_security_strategy needs memcache_secret_key" });
    if (instance.memcache_security_strategy !== undefined && instance.memcached_servers === undefined)
      context.addIssue({ code: "custom", path: ["memcached_servers"], message: "memcache_security_strategy needs memcached_servers" });
  })
  .meta({ description: "A Keystone instance Glance can authenticate requests through." });

export const InventorySchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "JSON Schema reference for editors." }),
    nodes: z.record(nodeName(), InventoryNodeSchema).default({}).meta({ description: "Nodes by name." }),
    mysql: z.record(instanceName(), MysqlInstanceSchema).default({}).meta({ description: "MySQL instances by name." }),
    keystone: z.record(instanceName(), KeystoneInstanceSchema).default({}).meta({ description: "Keystone instances by name." }),
  })
  .meta({ title: "glance-barclamp inventory", description: "Nodes and the MySQL and Keystone instances proposals can name." });

export type Inventory = z.output<typeof InventorySchema>;
export type MysqlInstance = z.output<typeof MysqlInstanceSchema>;
export type KeystoneInstance = z.output<typeof KeystoneInstanceSchema>;

