// @ts-check
import eslint from '@eslint/js';
import angular from 'angular-eslint';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.flashsale/**',
      '.tsbuild/**',
      'web/dist/**',
      'web/.angular/**',
      'web/out-tsc/**',
    ],
  },
  {
    // Code; templates (*.html, and those inline in components) have their own block below.
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [eslint.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // House style (see CONTRIBUTING.md): short functions, shallow nesting, few parameters,
      // and never a promise left floating.
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workspaces meet through their package entries (@flashsale/...), never by relative paths.
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(runtime|contract|platform|operator|stack|tools|testkit|cmd|web)/',
              message: 'import another workspace through its package name, not a relative path',
            },
          ],
        },
      ],
    },
  },
  {
    // Product code never imports test code (CONTRIBUTING.md).
    files: [
      'runtime/src/**/*.ts',
      'platform/src/**/*.ts',
      'operator/**/*.ts',
      'stack/src/**/*.ts',
      'tools/src/**/*.ts',
      'cmd/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@flashsale/testkit|^(\\.\\./)+test/|\\.test\\.ts$',
              message: 'product code must not import test code',
            },
            {
              regex: '^(\\.\\./)+(runtime|contract|platform|operator|stack|tools|testkit|cmd|web)/',
              message: 'import another workspace through its package name, not a relative path',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract runs in the browser and in Node: only its own modules, no packages, no node:.
    files: ['contract/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^[^.]',
              message:
                'the contract is browser-safe and has no dependencies: import only ./ modules',
            },
          ],
        },
      ],
    },
  },
  {
    // The storefront (web/tsconfig.json): Angular's rules, and its templates, inline ones
    // included, with the accessibility rules.
    files: ['web/src/**/*.ts'],
    extends: [angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: {
      '@angular-eslint/component-selector': [
        'error',
        { type: 'element', prefix: 'fs', style: 'kebab-case' },
      ],
      '@angular-eslint/directive-selector': [
        'error',
        { type: 'attribute', prefix: 'fs', style: 'camelCase' },
      ],
    },
  },
  {
    files: ['web/src/**/*.html'],
    extends: [angular.configs.templateRecommended, angular.configs.templateAccessibility],
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS configuration (Karma's): require() is how it loads its plugins.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // k6 scripts run in k6's JavaScript runtime, which provides these globals.
    files: ['tools/load/**/*.js'],
    languageOptions: {
      globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', console: 'readonly' },
    },
  },
  prettier,
);
