import { ExitCode } from "../../errors.js";
import { inventoryJsonSchema, proposalJsonSchema } from "../../core/proposal/json-schema.js";

export const runSchema = (options: { inventory?: boolean }): number => {
  const schema = options.inventory === true ? inventoryJsonSchema() : proposalJsonSchema();
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  return ExitCode.ok;
};
