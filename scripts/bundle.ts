/**
 * The command-line program as a few files: `dist/bundle/main.js` (what bin/tarsmith runs), `hash-worker.js` (the
 * hashing worker thread, beside the chunk that starts it) and the chunks of the lazily loaded commands. Node
 * loads one module graph of ~330 files for `tarsmith build` from dist/ and node_modules (~45 ms of every command
 * before it does anything); the bundle is a handful. The library (`dist/**` from tsc) is unchanged.
 * Usage: node --import tsx scripts/bundle.ts   (npm run build runs it after tsc)
 */
import { build, type Plugin } from 'esbuild';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Two levels below the project root, as dist/<area>/*.js: paths taken from import.meta.url (package.json, the
// hashing worker beside its chunk, createRequire) resolve as they do from dist/.
const outdir = path.join(root, 'dist', 'bundle');

/**
 * The dependencies loaded by nearly every command, bundled: what `tarsmith build` reads before it starts the engine
 * (the manifest's YAML, the CLI parser, the validator's runtime). Every other package stays external and loads from
 * node_modules as before, with Node's own CommonJS interop (native code, wasm, data files, UMD modules).
 */
const BUNDLED = new Set(['yaml', 'commander', 'ajv', 'fast-deep-equal']);

const onlyBundled: Plugin = {
  name: 'only-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const parts = args.path.split('/');
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'hash-worker': 'src/lock/hash-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  plugins: [onlyBundled],
  // CommonJS dependencies bundled into ES modules call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __tarsmithRequire } from 'node:module'; const require = __tarsmithRequire(import.meta.url);" },
  logLevel: 'warning',
});
