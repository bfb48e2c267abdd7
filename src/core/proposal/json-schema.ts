/** JSON Schema generated from the zod schemas, for editors and other tools. */
import * as z from "zod";
import { SERVICES } from "../glance.js";
import { DEFAULT_RELEASE, RELEASE_MODULES } from "../releases/index.js";
import type { ReleaseModule } from "../releases/types.js";
import { InventorySchema } from "./inventory.js";
import { ProposalSchema } from "./schema.js";

const toJsonSchema = (schema: z.core.$ZodType, id: string): Record<string, unknown> => ({
  ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }),
  $id: id,
});

/** Section and option names each service's extra_config may use on a release, from its catalogue. */
const extraConfigNames = (module: ReleaseModule): Record<string, unknown> => {
  const catalogue = module.catalogue();
  const services: Record<string, unknown> = {};
  for (const service of SERVICES) {
    const file = module.catalogueFiles[service];
    const entry = file === undefined ? undefined : catalogue.files[file];
    if (entry === undefined) continue;
    const sections: Record<string, string[]> = Object.fromEntries(Object.entries(entry.types).map(([s, options]) => [s, Object.keys(options).sort()]));
    for (const [store, options] of Object.entries(catalogue.backend_option_types ?? {})) sections[store] ??= Object.keys(options).sort();
    services[service] = {
      properties: {
        extra_config: {
          propertyNames: { enum: Object.keys(sections).sort() },
          properties: Object.fromEntries(Object.entries(sections).map(([s, names]) => [s, { propertyNames: { enum: names } }])),
        },
      },
    };
  }
  return services;
};

/** Per release: editors complete extra_config's sections and options from that release's catalogue. */
const releaseConditions = (): Record<string, unknown>[] =>
  RELEASE_MODULES.map((module) => ({
    if: {
      properties: {
        attributes: {
          properties: {
            // The default release is also the one of a proposal that names none.
            glance: { properties: { release: { const: module.name } }, ...(module.name === DEFAULT_RELEASE ? {} : { required: ["release"] }) },
          },
        },
      },
    },
    then: { properties: { attributes: { properties: { glance: { properties: extraConfigNames(module) } } } } },
  }));

export const proposalJsonSchema = (): Record<string, unknown> => ({
  ...toJsonSchema(ProposalSchema, "glance-barclamp/proposal.schema.json"),
  allOf: releaseConditions(),
});

export const inventoryJsonSchema = (): Record<string, unknown> =>
  toJsonSchema(InventorySchema, "glance-barclamp/inventory.schema.json");
