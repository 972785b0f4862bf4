// The service images (issue 8): multi-stage, a final stage without shell or package manager running as
// a non-root user, a HEALTHCHECK that runs the health probe on the service's first port, SIGTERM for
// the graceful drain, and only the esbuild bundles copied in. No Docker engine here: the Dockerfiles
// are read as text, and lib/constructs narrows their build context to the same bundles.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../core/config/index.js';
import { PROJECT_ROOT } from './support/synth.js';

const PORTS = loadConfig({}).ports;
const SERVICES = [
  { dir: 'smtp-fargate', firstPort: PORTS.smtp },
  { dir: 'imap-fargate', firstPort: PORTS.imap },
];

for (const { dir, firstPort } of SERVICES) {
  test(`services/${dir}/Dockerfile: multi-stage, distroless, non-root, health probe, SIGTERM, bundles only`, () => {
    const lines = readFileSync(path.join(PROJECT_ROOT, 'services', dir, 'Dockerfile'), 'utf8')
      .replace(/\\\n\s*/gu, ' ')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const stages = lines.filter((line) => line.startsWith('FROM '));
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.match(stages.at(-1)!, /distroless\/nodejs\d+-debian\d+:nonroot$/u);
    const finalStage = lines.slice(lines.indexOf(stages.at(-1)!));
    assert.ok(finalStage.includes('USER nonroot'));
    assert.match(
      finalStage.find((line) => line.startsWith('HEALTHCHECK')) ?? '',
      new RegExp(`health-probe/main\\.mjs", "${firstPort}"\\]$`, 'u'),
    );
    assert.ok(finalStage.includes('STOPSIGNAL SIGTERM'));
    for (const copy of lines.filter((line) => line.startsWith('COPY '))) {
      assert.match(copy, /^COPY (dist\/[\w-]+\/ [\w-]+\/|--from=bundles .*)$/u, copy);
    }
    assert.ok(!lines.some((line) => /\bnpm (install|ci)\b/u.test(line)), 'no install in the image');
  });
}
