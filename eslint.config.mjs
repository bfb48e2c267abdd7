// Lint: typescript-eslint's type-checked rules, and the project's conventions as ESLint rules.
import { basename } from "node:path";
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const builtins = builtinModules.filter((m) => !m.startsWith("_"));

// ESLint has no rule for file names, and the plugins that do need a newer Node: ten lines of our own.
const project = {
  rules: {
    "kebab-case-files": {
      meta: { type: "suggestion", schema: [], messages: { kebab: "file names are kebab-case ({{name}})" } },
      create: (context) => ({
        Program: (node) => {
          const name = basename(context.filename);
          if (!/^[a-z0-9]+(?:[-.][a-z0-9]+)*\.(?:ts|mts|mjs)$/u.test(name)) context.report({ node, messageId: "kebab", data: { name } });
        },
      }),
    },
  },
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "src/core/render/templates.generated.ts", "bench/out/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { project },
    rules: {
      "project/kebab-case-files": "error",
      // The validators, secret slots and masks exist to find control characters.
      "no-control-regex": "off",
      "no-restricted-imports": ["error", { paths: builtins.map((name) => ({ name, message: `import "node:${name}" instead` })) }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**"],
    rules: {
      // Named exports only: one name for one thing, wherever it is imported.
      "no-restricted-exports": ["error", { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      // Only the CLI writes output; everything else returns data.
      "no-console": "error",
    },
  },
  { files: ["**/*.mjs"], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } } },
);
