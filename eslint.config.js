// Lint: TypeScript rules plus the module import table from docs/ARCHITECTURE.md.
// Each src/<module>/ may import only the modules listed for it; everything else fails lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Which modules each module may import (keep in sync with docs/ARCHITECTURE.md). */
export const IMPORT_TABLE = {
  shared: [],
  config: ['shared'],
  api: ['shared'],
  protocol: ['shared', 'config'],
  store: ['shared'],
  blobs: ['shared'],
  secrets: ['store', 'blobs', 'shared'],
  audit: ['store', 'blobs', 'shared'],
  scm: ['store', 'blobs', 'shared'],
  server: ['api', 'protocol', 'config', 'store', 'blobs', 'secrets', 'audit', 'scm', 'shared'],
  executor: ['config', 'shared'],
  runner: ['protocol', 'executor', 'config', 'client', 'secrets/masker', 'shared'],
  client: ['api', 'protocol', 'shared'],
  cli: ['client', 'api', 'config', 'executor', 'shared'],
};
const MODULES = Object.keys(IMPORT_TABLE);

function restrictionsFor(module) {
  const allowed = IMPORT_TABLE[module];
  const forbidden = MODULES.filter((m) => m !== module && !allowed.includes(m));
  const patterns = forbidden.map((m) => {
    // A narrow exception such as 'secrets/masker' allows one file of a module.
    const narrow = allowed.filter((a) => a.startsWith(`${m}/`)).map((a) => a.slice(m.length + 1));
    const except = narrow.length ? `(?!(${narrow.join('|')})\\.js$)` : '';
    return {
      regex: `^(\\.\\./)+${m}/${except}`,
      message: `src/${module} may not import src/${m} (see the import table in docs/ARCHITECTURE.md).`,
    };
  });
  return patterns.length ? { 'no-restricted-imports': ['error', { patterns }] } : {};
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', '.kiln/**', 'dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'max-params': ['error', 3],
    },
  },
  ...MODULES.map((module) => ({ files: [`src/${module}/**/*.ts`], rules: restrictionsFor(module) })),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/bin/**', 'src/**/*.test.ts', 'src/**/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/bin and */config.ts read process.env; pass settings in.' }],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+src/(?!api/|shared/)', message: 'web may import only src/api and src/shared.' }] }],
    },
  },
);
