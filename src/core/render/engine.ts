/**
 * Renders precompiled templates (strict: a missing value is an error; no HTML escaping: the values
 * are already formatted for their file type).
 */
import HandlebarsRuntime from "handlebars/runtime.js";
import { TEMPLATE_SPECS } from "./templates.generated.js";

type Compiled = (context: unknown) => string;

// The runtime module is the full library minus the compiler; its own typings declare nothing.
const Handlebars = HandlebarsRuntime as unknown as typeof import("handlebars");

const cache = new Map<string, Compiled>();
const specs = TEMPLATE_SPECS as Record<string, unknown>;

const isPartial = (name: string): boolean => (name.split("/").pop() ?? "").startsWith("_");

let partialsRegistered = false;
const registerPartials = (): void => {
  if (partialsRegistered) return;
  for (const [name, spec] of Object.entries(specs)) {
    if (isPartial(name)) Handlebars.registerPartial(name, Handlebars.template(spec as never));
  }
  partialsRegistered = true;
};

export const renderTemplate = (name: string, context: object): string => {
  registerPartials();
  let compiled = cache.get(name);
  if (compiled === undefined) {
    const spec = specs[name];
    if (spec === undefined) throw new Error(`no template named ${name}`);
    compiled = Handlebars.template(spec as never);
    cache.set(name, compiled);
  }
  return compiled(context);
};
