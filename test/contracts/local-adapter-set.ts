// The local adapter set: SQLite + files in a fresh temporary data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalStorageOptions, openLocalStorage } from '../../core/adapters/local/open-local-storage.js';
import { type AdapterSet, CONTRACT_QUEUE_MAX_ATTEMPTS } from './support/adapter-set.js';

const localAdapterSet: AdapterSet = {
  name: 'local',
  async open() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-contract-'));
    // A short poll keeps the cross-client change-feed case fast; production uses the 500 ms default.
    const options: LocalStorageOptions = { dataDir, queueMaxAttempts: CONTRACT_QUEUE_MAX_ATTEMPTS, changePollIntervalMs: 100 };
    const storage = await openLocalStorage(options);
    return {
      storage,
      peerRecipe: {
        moduleUrl: new URL('../../core/adapters/local/open-local-storage.ts', import.meta.url).href,
        exportName: 'openLocalStorage',
        options,
      },
      async cleanup() {
        await storage.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export default localAdapterSet;
