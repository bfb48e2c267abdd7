import { ProposalSchema, type ProposalInput, type Release } from "./schema.js";

/**
 * A complete proposal with every default spelled out, as Crowbar's "create proposal" did. On zed the
 * registry block is left out: that release has no registry.
 */
export const newProposal = (release: Release, name: string): Record<string, unknown> => {
  const input: ProposalInput = {
    id: `bc-glance-${name}`,
    description: `Glance (${release}) deployed by glance-barclamp`,
    attributes: { glance: { release } },
  };
  const full = ProposalSchema.parse(input);
  const glance: Record<string, unknown> = { ...full.attributes.glance };
  if (release === "zed") delete glance.registry;
  return { ...full, attributes: { glance } };
};
