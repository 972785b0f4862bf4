// Every adapter set the contract suite runs against. Each module listed here default-exports an
// AdapterSet; add a backend by adding one line. YUBIN_CONTRACT_SETS=local,aws narrows a run.
import type { AdapterSet } from './support/adapter-set.js';

export { CONTRACT_QUEUE_MAX_ATTEMPTS, openPeer, type AdapterSet, type OpenedAdapterSet, type PeerRecipe } from './support/adapter-set.js';

// One module per line, so that adding a backend stays a one-line change.
// prettier-ignore
const ADAPTER_SET_MODULES: readonly string[] = [
  './local-adapter-set.js',
  './aws-adapter-set.js',
];

const wanted = process.env.YUBIN_CONTRACT_SETS?.split(',').map((name) => name.trim());

export const adapterSets: readonly AdapterSet[] = (
  await Promise.all(ADAPTER_SET_MODULES.map(async (module) => ((await import(module)) as { default: AdapterSet }).default))
).filter((set) => !wanted || wanted.includes(set.name));
