/**
 * The inventory stands in for the Crowbar server: which nodes exist and their addresses, and the
 * MySQL and Keystone instances a proposal can name.
 */
import * as z from "zod";
import { host, instanceName, ipAddress, nodeName, port, secretRef, text } from "./fields.js";

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

const KeystoneInstanceSchema = z
  .strictObject({
    host: host().meta({ description: "Host name or address of Keystone." }),
    protocol: z.enum(["http", "https"]).default("http").meta({ description: "Protocol of Keystone's endpoints." }),
    public_port: port().default(5000).meta({ description: "Keystone's public (service) API port." }),
    admin_port: port().default(35357).meta({ description: "Keystone's admin API port." }),
    admin_token: secretRef().optional().meta({ description: "Keystone admin token (the 2011 middleware validates tokens with it). Secret." }),
    service_user: text(255).min(1).default("glance").meta({ description: "User Glance authenticates to Keystone as." }),
    service_password: secretRef().optional().meta({ description: "Password of the service user. Secret." }),
    service_tenant: text(255).min(1).default("service").meta({ description: "Tenant (project) of the service user." }),
    user_domain: text(255).min(1).default("Default").meta({ description: "Domain of the service user (Keystone v3)." }),
    project_domain: text(255).min(1).default("Default").meta({ description: "Domain of the service tenant (Keystone v3)." }),
    region: text(255).min(1).default("RegionOne").meta({ description: "Region the image endpoints are registered in." }),
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

