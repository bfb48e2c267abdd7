/** JSON Schema generated from the zod schemas, for editors and other tools. */
import * as z from "zod";
import { InventorySchema } from "./inventory.js";
import { ProposalSchema } from "./schema.js";

const toJsonSchema = (schema: z.core.$ZodType, id: string): Record<string, unknown> => ({
  ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }),
  $id: id,
});

export const proposalJsonSchema = (): Record<string, unknown> => toJsonSchema(ProposalSchema, "glance-barclamp/proposal.schema.json");

export const inventoryJsonSchema = (): Record<string, unknown> =>
  toJsonSchema(InventorySchema, "glance-barclamp/inventory.schema.json");
