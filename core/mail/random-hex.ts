// Random hex for ids on hot paths (message ids, blob keys, queue receipts). Each call of
// crypto.randomBytes / randomFillSync costs ~40 µs on our VMs whatever its size (the random
// generator's per-call work, not the bytes), several times per message; so bytes are drawn from a
// pool filled 4 KiB at a time, as crypto.randomUUID does. Same generator, same quality.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `byteCount` (≤ 4,096) cryptographically random bytes as lower-case hex. */
export function randomHex(byteCount: number): string {
  if (used + byteCount > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + byteCount);
  used += byteCount;
  return hex;
}
