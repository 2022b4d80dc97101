// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // The storefront has its own TypeScript setup (Angular, browser); only its static server is
    // linted here.
    ignores: ['**/node_modules/**', '.flashsale/**', '.tsbuild/**', 'web/*', '!web/server'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
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
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
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
