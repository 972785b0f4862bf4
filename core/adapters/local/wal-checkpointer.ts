// Checkpoints the WAL from a worker thread with its own connection. SQLite's automatic checkpoint
// runs inside whichever COMMIT crosses the threshold, copying pages and fsyncing WAL and database
// on the event loop (better-sqlite3 is synchronous): every session of the process would stall.
// The main connection turns automatic checkpoints off; this worker runs PASSIVE checkpoints, which
// never block readers or writers, on a timer. Plain JavaScript evaluated in the worker, so it runs
// the same under tsx, node and a bundle.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.databaseFile);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or briefly unreadable: the next tick tries again; the WAL only grows meanwhile.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(databaseFile: string, intervalMs: number) {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(CHECKPOINT_WORKER_SOURCE, { eval: true, workerData: { databaseFile, driverPath, intervalMs } });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    // Never keeps a process (CLI command, test) alive by itself.
    this.#worker.unref();
  }

  /** Runs a last checkpoint and stops the worker. */
  async stop(): Promise<void> {
    this.#worker.ref(); // keep the process alive until the worker has finished
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
