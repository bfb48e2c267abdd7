import { ExitCode } from "../../errors.js";
import { jsonReport } from "../format/report.js";
import { inventoryJsonSchema, proposalJsonSchema } from "../../core/proposal/json-schema.js";

export const runSchema = (options: { inventory?: boolean; json?: boolean }): number => {
  const schema = options.inventory === true ? inventoryJsonSchema() : proposalJsonSchema();
  process.stdout.write(options.json === true ? jsonReport({ schema }) : `${JSON.stringify(schema, null, 2)}\n`);
  return ExitCode.ok;
};
