import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'data/',
      'reports/',
      '.stryker-tmp*/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  { files: ['bench/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
  {
    // Layering: dependencies point down. Features (captions/, batch/) use the resources; the
    // resources, the shared code and the config never import a feature (features contribute
    // what observers need through the registry instead).
    files: [
      'src/resources/**/*.ts',
      'src/common/**/*.ts',
      'src/config/**/*.ts',
      'src/docs/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(captions|batch)(/|$)',
              message:
                'resources/, common/, config/ and docs/ must not import a feature (captions/, batch/).',
            },
          ],
        },
      ],
    },
  },
);
