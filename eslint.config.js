// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "dist-typecheck/**",
      "node_modules/**",
      "coverage/**",
      "bench-results/**",
      ".tmp/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  {
    // Only the CLI touches the process. (Import cycles and layering: scripts/check-imports.ts, run by lint.)
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Only src/cli may exit the process." },
      ],
    },
  },
  {
    // One module owns the home folder (STYLE.md, Paths): everything else asks src/config/paths.ts
    // (currentPathEnvironment, pathEnvironmentFrom, expandHome), so tests can point every path at a temp dir.
    files: ["src/**/*.ts", "test/**/*.ts"],
    ignores: ["src/config/paths.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...[
          "MemberExpression[object.name='os'][property.name='homedir']",
          "ImportSpecifier[imported.name='homedir']",
          "MemberExpression[object.object.name='process'][object.property.name='env'][property.name=/^(HOME|USERPROFILE)$/]",
          "MemberExpression[object.object.name='process'][object.property.name='env'][property.value=/^(HOME|USERPROFILE)$/]",
          "VariableDeclarator[init.object.name='process'][init.property.name='env'] > ObjectPattern > Property[key.name=/^(HOME|USERPROFILE)$/]",
        ].map((selector) => ({
          selector,
          message: "Only src/config/paths.ts reads the home folder; use its path environment or expandHome.",
        })),
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-restricted-properties": "off",
    },
  },
);
