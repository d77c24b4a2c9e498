import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const serverOnly = ['@/lib/server', '@/lib/server/*', '**/lib/server/**', 'etcd3', 'socket.io', 'prom-client', 'node:*', 'fs', 'child_process'];
const frameworks = ['react', 'react-dom', 'next', 'next/*', 'socket.io', 'socket.io-client', 'etcd3', '@/lib/server/*', '@/lib/client/*', '**/lib/server/**', '**/lib/client/**', 'node:*'];

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'data/**', 'next-env.d.ts', 'public/**', '.screens/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { fetch: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['components/**/*.{ts,tsx}', 'app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Browser code never reaches server-only modules.
    files: ['lib/client/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: serverOnly }] },
  },
  {
    // The shared model is pure: no framework, no runtime, no I/O.
    files: ['lib/model/**/*.ts'],
    ignores: ['lib/model/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: frameworks }] },
  },
);
