/**
 * A release is a module, templates and a catalogue: a throwaway third release, built from zed's
 * parts in test/fixtures/releases/glance30, is registered here (its module added to the registry,
 * its templates precompiled as the build precompiles the shipped ones) and runs through validate,
 * proposal new, the JSON Schema, plan, render and verify. No other source knows of it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi, afterAll, beforeAll } from "vitest";
import { newProposal } from "../../src/core/proposal/new-proposal.js";
import { proposalJsonSchema } from "../../src/core/proposal/json-schema.js";
import { releaseModule } from "../../src/core/releases/index.js";
import { GLANCE30_PROBE } from "../fixtures/releases/glance30/module.js";
import { fileAt, files, masked, planOf } from "../helpers/plan.js";
import { proposalWith, validate } from "../helpers/proposals.js";
import { newRoot } from "../helpers/roots.js";
import { applyThenVerify } from "../helpers/staging.js";

vi.mock("../../src/core/releases/index.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/core/releases/index.js")>();
  const { glance30 } = await import("../fixtures/releases/glance30/module.js");
  // Registered before any module reads the list (the schema builds its enum from it on import).
  (real.RELEASE_MODULES as Array<(typeof real.RELEASE_MODULES)[number]>).push(glance30);
  return real;
});

vi.mock("../../src/core/render/templates.generated.js", async (importOriginal) => {
  const real = await importOriginal<{ TEMPLATE_SPECS: Record<string, unknown> }>();
  const { precompileTemplates } = await import("../../scripts/templates.mjs");
  const { fileURLToPath, pathToFileURL } = await import("node:url");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const dir = fileURLToPath(new URL("../fixtures/releases/glance30/templates", import.meta.url));
  // A precompiled spec is JavaScript source: written as a module, as the build writes templates.generated.ts.
  const entries = Object.entries(precompileTemplates(dir)).map(([name, source]) => `  ${JSON.stringify(name)}: ${source},`);
  const module = path.join(mkdtempSync(path.join(tmpdir(), "gb-glance30-templates-")), "templates.mjs");
  writeFileSync(module, `export const TEMPLATE_SPECS = {\n${entries.join("\n")}\n};\n`);
  const fixture = (await import(pathToFileURL(module).href)) as { TEMPLATE_SPECS: Record<string, unknown> };
  return { TEMPLATE_SPECS: { ...real.TEMPLATE_SPECS, ...fixture.TEMPLATE_SPECS } };
});

const PROPOSAL = proposalWith({ release: "glance30", enable_caching: true });

describe("a third release added as a module, templates and a catalogue", () => {
  it("validates, with the rules its module brings and the generic ones naming it", () => {
    const result = validate({ ...PROPOSAL, attributes: { glance: { ...(PROPOSAL.attributes as { glance: object }).glance, registry: { bind_port: 9191 } } } });
    expect(result.valid).toBe(true);
    expect(result.issues.map((i) => i.code).sort()).toEqual(["glance30-cache", "registry-ignored"]);
    expect(result.issues.find((i) => i.code === "registry-ignored")?.message).toBe("the registry no longer exists in glance30: its settings have no effect");
    expect(validate(proposalWith({ release: "glance31" })).issues.map((i) => i.code)).toContain("not-allowed");
  });

  it("is offered by proposal new (leaving out what it has no use for) and by the JSON Schema", () => {
    const proposal = newProposal("glance30", "lab") as { attributes: { glance: Record<string, unknown> } };
    expect(proposal.attributes.glance.release).toBe("glance30");
    expect(proposal.attributes.glance.registry).toBeUndefined();
    expect(JSON.stringify(proposalJsonSchema())).toContain('"glance30"');
  });

  it("plans and renders from its own API template and zed's others", () => {
    const plan = planOf(PROPOSAL);
    expect(plan.release).toBe("glance30");
    expect(masked(fileAt(plan, "/etc/glance/glance-api.conf"))).toContain("# Rendered from the glance30 release's own template.");
    const zedPlan = planOf(proposalWith({ release: "zed", enable_caching: true }));
    expect(masked(fileAt(plan, "/etc/glance/glance-scrubber.conf"))).toBe(masked(fileAt(zedPlan, "/etc/glance/glance-scrubber.conf")));
    expect(files(plan).map((f) => f.path)).toEqual(files(zedPlan).map((f) => f.path));
  });

  it("renders only options its catalogue knows", () => {
    const catalogue = releaseModule("glance30").catalogue();
    const api = catalogue.files["glance-api.conf"];
    let section = "DEFAULT";
    for (const line of masked(fileAt(planOf(PROPOSAL), "/etc/glance/glance-api.conf")).split("\n")) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const header = /^\[(.+)\]$/u.exec(line);
      if (header !== null) {
        section = header[1] as string;
        continue;
      }
      const option = line.split("=")[0]?.trim() ?? "";
      const known = api?.sections[section] ?? catalogue.backend_types.file ?? [];
      expect(known, `[${section}] ${option}`).toContain(option);
    }
  });

  describe("verify probes what its module says", () => {
    const requests: string[] = [];
    let answerProbe = true;
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        requests.push(request.url ?? "");
        const ok = request.url === "/versions" || (answerProbe && request.url === GLANCE30_PROBE);
        response.writeHead(ok ? 200 : 404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const run = async () => {
      const plan = planOf(proposalWith({ release: "glance30", api: { bind_port: port } }));
      const root = newRoot("gb-glance30-");
      const documents = { proposal: validate(proposalWith({ release: "glance30" })).proposal, inventory: undefined };
      return applyThenVerify(plan, documents, root, { kind: "sqlite", path: `${root}/var/lib/glance/glance.sqlite` });
    };

    it("passes when its API answers the release's probe", async () => {
      const api = (await run()).find((r) => r.check === "api");
      expect(api?.outcome).toBe("pass");
      expect(requests).toContain(GLANCE30_PROBE);
      expect(requests).not.toContain("/v2/images?limit=1");
    });

    it("fails when it does not", async () => {
      answerProbe = false;
      const api = (await run()).find((r) => r.check === "api");
      expect(api).toMatchObject({ outcome: "fail" });
      expect(api?.detail).toContain(`${GLANCE30_PROBE} answered 404`);
    });
  });
});
