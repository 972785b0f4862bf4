// `npm run build`: esbuild bundles of every runtime entry point into dist/<name>/, the only thing the
// Dockerfiles copy. better-sqlite3 is native and belongs to the local backend, so it stays external:
// the AWS images carry no node_modules at all. Code splitting puts whatever a composition root loads
// with `await import()` (the local adapter set) into its own chunk, so the external import runs only
// when that chunk does. `node scripts/build.mjs NAME…` builds a subset.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundle name → entry point. dist/<name>/main.mjs is what the images and `node` run. */
export const ENTRY_POINTS = {
  delivery: 'lambdas/delivery/handler.ts',
  'smtp-fargate': 'services/smtp-fargate/main.ts',
  'imap-fargate': 'services/imap-fargate/main.ts',
  'health-probe': 'services/health-probe/main.ts',
  yubin: 'bin/yubin.ts',
};

/** Native or local-only modules that must never be inlined. */
export const EXTERNAL_MODULES = ['better-sqlite3'];

// ESM output meets CommonJS dependencies that still call require().
const REQUIRE_SHIM =
  "import { createRequire as yubinCreateRequire } from 'node:module'; const require = yubinCreateRequire(import.meta.url);";

/** Bundles one entry point to `${outdir}/main.mjs` (+ chunks, source maps); returns esbuild's metafile. */
export async function bundle(entry, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir,
    entryNames: 'main',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20', // the images and Lambda run 22; the code stays Node-20-compatible (design brief §8)
    sourcemap: 'linked',
    external: EXTERNAL_MODULES,
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

async function main(names) {
  const selected = names.length === 0 ? Object.keys(ENTRY_POINTS) : names;
  const unknown = selected.filter((name) => !(name in ENTRY_POINTS));
  if (unknown.length > 0) throw new Error(`unknown bundle ${unknown.join(', ')}; known: ${Object.keys(ENTRY_POINTS).join(', ')}`);
  const missing = selected.filter((name) => !existsSync(join(root, ENTRY_POINTS[name])));
  if (missing.length > 0) throw new Error(`entry points not written yet: ${missing.map((name) => ENTRY_POINTS[name]).join(', ')}`);
  for (const name of selected) {
    const started = Date.now();
    const metafile = await bundle(ENTRY_POINTS[name], join(root, 'dist', name));
    const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    console.log(`dist/${name}/main.mjs  ${(bytes / 1024).toFixed(0)} KiB (with map)  ${Date.now() - started} ms`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  });
}
