// Lint: typescript-eslint's recommended rules, plus the import direction of STYLE.md:
// core/mail, core/mime and protocol engines import nothing of ours but core/mail; ports import only core/mail.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/mail/**/*.ts', 'core/mime/**/*.ts', 'services/*/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/ports/**', '**/adapters/**', '**/config/**'], message: 'pure code imports nothing of ours but core/mail' }] }],
    },
  },
  {
    files: ['core/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/adapters/**', '**/config/**'], message: 'ports import only core/mail' }] }],
    },
  },
  {
    files: ['services/**/*.ts', 'lambdas/**/*.ts'],
    ignores: ['services/*/main.ts', 'lambdas/*/handler.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/core/adapters/**', '**/core/config/**'], message: 'only composition roots choose adapters or read config' }] }],
    },
  },
);
