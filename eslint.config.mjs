import nx from '@nx/eslint-plugin';

// Module boundaries are enforced by tag (see docs/architecture.md, "Dependency rules").
function boundaries(tests) {
  const testOnly = tests ? ['type:simulator', 'type:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    // The shared configs at the root (eslint, the apps' webpack function) are build tooling, not libraries.
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^.*/webpack\\.app\\.config(\\.js)?$'],
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:util', ...testOnly] },
      { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:util', 'type:config'] },
      {
        sourceTag: 'type:messaging',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:observability', 'type:config', 'type:util'],
      },
      // Clients never import messaging: they are plain API clients usable anywhere.
      { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:util', 'type:config', ...testOnly] },
      // What several apps run on top of a client and the bus (the Sage X3 side of x3-poster and x3-poller).
      {
        sourceTag: 'type:runtime',
        onlyDependOnLibsWithTags: [
          'type:contracts',
          'type:messaging',
          'type:config',
          'type:observability',
          'type:client',
          'type:util',
          ...testOnly,
        ],
      },
      { sourceTag: 'type:simulator', onlyDependOnLibsWithTags: ['type:util', 'type:client', ...testOnly] },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: [
          'type:contracts',
          'type:messaging',
          'type:util',
          'type:config',
          'type:observability',
          ...testOnly,
        ],
      },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: [
          'type:runtime',
          'type:contracts',
          'type:messaging',
          'type:config',
          'type:observability',
          'type:client',
          'type:util',
          ...testOnly,
        ],
      },
      // The end-to-end suite wires the real apps together; nothing may import it.
      {
        sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: [
          'type:app',
          'type:runtime',
          'type:contracts',
          'type:messaging',
          'type:config',
          'type:observability',
          'type:client',
          'type:util',
          'type:simulator',
          'type:testing',
        ],
      },
      {
        sourceTag: 'type:simulator-app',
        onlyDependOnLibsWithTags: ['type:simulator', 'type:util', 'type:client', 'type:observability'],
      },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.cache/**', 'deploy/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Env schema classes state each variable's type explicitly, next to its documentation.
      '@typescript-eslint/no-inferrable-types': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      // An app's public surface (@connector/app-*) exists for the end-to-end suite only.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@connector/app-*'], message: 'apps never import apps; only apps/connector-e2e may' }] },
      ],
    },
  },
  {
    // Tests may also use the simulators and the testing lib; production code may not.
    files: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // The end-to-end suite wires the five real apps together, which Nx's rule forbids for every project
    // (it has no e2e exemption); the app surfaces it uses are the explicit src/index.ts files.
    files: ['apps/connector-e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off', 'no-restricted-imports': 'off' },
  },
];
