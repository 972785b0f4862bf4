// Starts a TypeScript module in a worker thread (tsx registered inside the worker) and collects
// the one result message it posts.
import { Worker } from 'node:worker_threads';

const TSX_API_URL = import.meta.resolve('tsx/esm/api');

export function runTsWorker<T>(moduleUrl: URL, workerData: unknown): Promise<T> {
  const bootstrap = `import(${JSON.stringify(TSX_API_URL)}).then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData });
  return new Promise<T>((resolve, reject) => {
    let result: { ok: true; value: T } | null = null;
    worker.once('message', (message: { error?: string; value?: T }) => {
      if (message.error !== undefined) reject(new Error(`worker failed: ${message.error}`));
      else result = { ok: true, value: message.value as T };
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result.value);
      else reject(new Error(`worker exited with code ${code} without a result`));
    });
  });
}
