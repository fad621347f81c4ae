// Lint, and the layering rules of docs/architecture.md, all at `error`.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Bare module names each layer may not import.
const electron = {
  paths: ['electron'],
  patterns: ['electron/*'],
  message: 'electron belongs to src/main and src/preload only.',
}
const ui = {
  paths: ['vue', 'pinia', 'd3'],
  patterns: ['vue/*', '@vue/*', 'pinia/*', 'd3/*', 'd3-*'],
  message: 'Vue, Pinia and D3 belong to src/renderer only.',
}
const node = {
  paths: builtinModules.filter((name) => !name.startsWith('_')),
  patterns: ['node:*'],
  message: 'No Node built-ins here: this code runs in a page or must stay pure.',
}

function noImportsOf(groups) {
  return [
    'error',
    {
      paths: groups.flatMap(({ paths, message }) => paths.map((name) => ({ name, message }))),
      patterns: groups.map(({ patterns, message }) => ({ group: patterns, message })),
    },
  ]
}

const layerOf = (dir) => [`src/${dir}/**/*.{ts,mts,js,mjs,vue}`]

// Which folders a layer's relative imports may not reach.
const zones = [
  {
    target: './src/shared',
    from: './src',
    except: ['./shared'],
    message: 'src/shared imports nothing outside itself.',
  },
  {
    target: './src/engine',
    from: ['./src/scenarios', './src/main', './src/preload', './src/renderer', './src/cli', './src/server'],
    message: 'src/engine imports only src/shared and Node.',
  },
  {
    target: './src/scenarios',
    from: './src',
    except: ['./engine', './shared', './scenarios'],
    message: 'src/scenarios imports only src/engine and src/shared.',
  },
  ...['main', 'cli', 'server'].flatMap((layer) => [
    {
      target: `./src/${layer}`,
      from: ['main', 'preload', 'renderer', 'cli', 'server']
        .filter((other) => other !== layer)
        .map((other) => `./src/${other}`),
      message: `src/${layer} imports src/engine, src/shared and the scenario catalogue only.`,
    },
    {
      target: `./src/${layer}`,
      from: './src/scenarios',
      // main names the thread entry by its built path (`?modulePath`), never imports it as code.
      except: layer === 'main' ? ['./catalog.ts', './threadEntry.ts?modulePath'] : ['./catalog.ts'],
      message: `Of src/scenarios, src/${layer} imports only the catalogue (catalog.ts).`,
    },
  ]),
  {
    target: './src/preload',
    from: ['./src/engine', './src/scenarios', './src/main', './src/renderer', './src/cli', './src/server'],
    message: 'src/preload imports electron and src/shared only.',
  },
  {
    target: './src/renderer',
    from: ['./src/engine', './src/scenarios', './src/main', './src/cli', './src/server'],
    message: 'src/renderer reaches the backend only through src/renderer/src/api.',
  },
  {
    target: './src/renderer',
    from: './src/preload',
    except: ['./index.d.ts'],
    message: 'src/renderer takes only the bridge types (src/preload/index.d.ts) from src/preload.',
  },
]

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', 'coverage/', 'tmp-*/'] },

  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  { ignores: ['src/renderer/**'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: globals.browser },
  },

  // Layering: relative imports between folders.
  {
    files: ['src/**/*.{ts,mts,js,mjs,vue}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.vue', '.json'] }),
      ],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
  },
  // Layering: bare module names. One entry per layer, since a later entry replaces the rule's options.
  {
    files: layerOf('shared'),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$)[^.]',
              message: 'src/shared imports nothing outside itself but zod (the recording schema).',
            },
          ],
        },
      ],
    },
  },
  // Its tests may import the test runner too.
  {
    files: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(zod|vitest)$)[^.]',
              message: 'Tests of src/shared import nothing outside it but zod and vitest.',
            },
          ],
        },
      ],
    },
  },
  { files: layerOf('engine'), rules: { 'no-restricted-imports': noImportsOf([electron, ui]) } },
  { files: layerOf('scenarios'), rules: { 'no-restricted-imports': noImportsOf([electron, ui]) } },
  { files: layerOf('cli'), rules: { 'no-restricted-imports': noImportsOf([electron, ui]) } },
  { files: layerOf('server'), rules: { 'no-restricted-imports': noImportsOf([electron, ui]) } },
  { files: layerOf('main'), rules: { 'no-restricted-imports': noImportsOf([ui]) } },
  // A sandboxed preload has no Node built-ins to import.
  { files: layerOf('preload'), rules: { 'no-restricted-imports': noImportsOf([ui, node]) } },
  { files: layerOf('renderer'), rules: { 'no-restricted-imports': noImportsOf([electron, node]) } },

  // Formatting is Prettier's; this turns off the style rules that would fight it.
  prettier,
)
