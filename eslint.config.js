import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only a program's config module may read the environment (house style: one reader of process.env).
const envReaders = ['**/config.ts', 'scripts/*.mjs', 'bin/*.js'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.gameday/**', 'reports/runs/**', 'scenarios/k6/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', {
        object: 'process', property: 'env',
        message: 'Read the environment only in the program\'s config module (config.ts).',
      }],
    },
  },
  {
    files: envReaders,
    rules: { 'no-restricted-properties': 'off' },
  },
);
