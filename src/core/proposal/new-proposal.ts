import { ProposalSchema, type ProposalInput, type Release } from "./schema.js";

/**
 * A complete proposal with every default spelled out, as Crowbar's "create proposal" did. On zed the
 * registry block and the cache grace period are left out: that release has neither.
 */
export const newProposal = (release: Release, name: string): Record<string, unknown> => {
  const input: ProposalInput = {
    id: `bc-glance-${name}`,
    description: `Glance (${release}) deployed by glance-barclamp`,
    attributes: { glance: { release } },
  };
  const full = ProposalSchema.parse(input);
  const glance: Record<string, unknown> = { ...full.attributes.glance };
  if (release === "zed") {
    // Fields zed has no option for: spelled out, validate would warn about them.
    delete glance.registry;
    delete glance.image_cache_grace_period;
  }
  return { ...full, attributes: { glance } };
};
