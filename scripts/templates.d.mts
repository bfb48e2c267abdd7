/** Template name → precompiled Handlebars spec, as JavaScript source. */
export declare const precompileTemplates: (dir: string) => Record<string, string>;
