import nx from '@nx/eslint-plugin';

// Module boundaries are enforced by tag (see docs/architecture.md, "Dependency rules").
function boundaries(tests) {
  const testOnly = tests ? ['type:simulator', 'type:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:util', ...testOnly] },
      { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:util', 'type:config'] },
      { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts', 'type:observability', 'type:config', 'type:util'] },
      // Clients never import messaging: they are plain API clients usable anywhere.
      { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:util', 'type:config', ...testOnly] },
      { sourceTag: 'type:simulator', onlyDependOnLibsWithTags: ['type:util', 'type:client', ...testOnly] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:util', 'type:config', 'type:observability', ...testOnly] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:config', 'type:observability', 'type:client', 'type:util', ...testOnly] },
      { sourceTag: 'type:simulator-app', onlyDependOnLibsWithTags: ['type:simulator', 'type:util', 'type:client', 'type:observability'] },
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
    },
  },
  {
    // Tests may also use the simulators and the testing lib; production code may not.
    files: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
];
