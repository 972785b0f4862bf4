#!/usr/bin/env node
// `npx yubin`: runs the esbuild bundle when `npm run build` made one, else bin/yubin.ts through tsx.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/yubin/main.mjs', import.meta.url));
const source = fileURLToPath(new URL('./yubin.ts', import.meta.url));
// tsx is resolved from this file, so the shim works from any working directory.
const args = existsSync(bundle) ? [bundle] : ['--import', import.meta.resolve('tsx'), source];
const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
