import { releaseModule } from "../releases/index.js";
import { ProposalSchema, type ProposalInput } from "./schema.js";

/**
 * A complete proposal with every default spelled out, as Crowbar's "create proposal" did, less the
 * fields the release has no use for (spelled out, validate would warn about them).
 */
export const newProposal = (release: string, name: string): Record<string, unknown> => {
  const input: ProposalInput = {
    id: `bc-glance-${name}`,
    description: `Glance (${release}) deployed by glance-barclamp`,
    attributes: { glance: { release } },
  };
  const full = ProposalSchema.parse(input);
  const glance: Record<string, unknown> = { ...full.attributes.glance };
  for (const field of releaseModule(release).newProposalOmits) delete glance[field];
  return { ...full, attributes: { glance } };
};
