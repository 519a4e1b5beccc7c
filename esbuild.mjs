// One build for every bundle: the extension host (Node, CJS, `vscode` external), the CLIs and the
// webviews (browser). `--watch` rebuilds on change; `--production` minifies and drops sourcemaps.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

const cliNames = ['kvs-inspect', 'kvs-local', 'kvs-put'];

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: Object.fromEntries(cliNames.map((name) => [`${name}.main`, `src/cli/${name}.ts`])),
    outdir: 'dist/cli',
    platform: 'node',
    format: 'cjs',
  },
  // The `bin` files: each runs its `.main.js` bundle through V8's code cache (src/cli/launcher.ts, whose
  // `#!` line esbuild keeps).
  {
    ...common,
    entryPoints: Object.fromEntries(cliNames.map((name) => [name, 'src/cli/launcher.ts'])),
    outdir: 'dist/cli',
    platform: 'node',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: { player: 'webview/player/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
  },
];

function makeClisExecutable() {
  for (const name of cliNames) {
    const file = `dist/cli/${name}.js`;
    if (existsSync(file)) chmodSync(file, 0o755);
  }
}

const makeExecutablePlugin = {
  name: 'make-executable',
  setup(build) {
    build.onEnd(makeClisExecutable);
  },
};

if (watch) {
  const contexts = await Promise.all(
    builds.map((options) => esbuild.context({ ...options, plugins: [makeExecutablePlugin] })),
  );
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  makeClisExecutable();
}
