import nx from '@nx/eslint-plugin';

// Module boundaries are enforced by tag (see docs/architecture.md, "Dependency rules").
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.cache/**', 'deploy/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:observability', onlyDependOnLibsWithTags: ['type:util', 'type:config'] },
            { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts', 'type:observability', 'type:config', 'type:util'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:util', 'type:config'] },
            { sourceTag: 'type:simulator', onlyDependOnLibsWithTags: ['type:util', 'type:client'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:util', 'type:config', 'type:observability'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:messaging', 'type:config', 'type:observability', 'type:client', 'type:util', 'type:testing'] },
            { sourceTag: 'type:simulator-app', onlyDependOnLibsWithTags: ['type:simulator', 'type:util', 'type:client', 'type:observability'] },
          ],
        },
      ],
    },
  },
];
