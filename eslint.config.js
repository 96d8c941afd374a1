// Type-aware lint. The core must stay pure: no I/O, no framework, no crypto library (DESIGN.md, STYLE.md habit 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https',
  'http2', 'node:http2', 'tls', 'node:tls', 'dgram', 'node:dgram', 'child_process', 'node:child_process',
  'worker_threads', 'node:worker_threads', 'os', 'node:os', 'process', 'node:process', 'cluster', 'node:cluster',
  'koa', '@koa/router', 'pg', 'better-sqlite3', 'pino', 'node-forge', 'xml-crypto', 'fhir-kit-client', 'prom-client',
  'libxml2-wasm', 'playwright-core',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.scratch/**', 'data/**', 'certs/generated/**', 'test-artifacts/**', 'eslint.config.js', 'src/adapters/ui/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config only.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'src/core is pure: no I/O, framework or crypto library.' })),
        patterns: [
          { group: ['**/adapters/**', '**/app/**', '**/config/**', '**/logging/**', '**/cli/**', '**/main*'], message: 'src/core must not depend on outer layers.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'fetch', message: 'src/core does no I/O.' },
        { name: 'setTimeout', message: 'src/core has no clock.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'src/core takes ids as arguments.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core takes time as an argument.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'src/core takes time as an argument.' },
        { selector: "MemberExpression[object.name='crypto'][property.name='randomUUID']", message: 'src/core takes ids as arguments.' },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts', 'src/cli/**/*.ts', 'src/main.ts', 'bench/**/*.ts', 'scripts/**', 'bin/**', 'test/**/*.ts', 'certs/**/*.ts', 'conformance/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' }] }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
