// The egress worker (in the SMTP service container, and in `npm start`): N loops long-polling the
// outbound queue, each running one job at a time through processOutboundJob. stop() lets in-flight
// jobs finish; a job cut off by a crash reappears after its visibility timeout (at-least-once).
import { setTimeout as sleep } from 'node:timers/promises';
import type { EgressSettings } from './egress-settings.js';
import type { Logger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import { createEgressTransport, type TransportDeps } from './create-transport.js';
import { DkimSigner } from './dkim-signer.js';
import { DailyRecipientCap } from './limits.js';
import { processOutboundJob, type EgressDeps } from './process-outbound-job.js';
import type { EgressTransport } from './transport.js';

export interface EgressWorkerOptions {
  readonly storage: Storage;
  readonly config: EgressSettings;
  /** Our host name: EHLO, Reporting-MTA of DSNs. */
  readonly hostname: string;
  readonly logger: Logger;
  /** Defaults to the one the config's mode names. */
  readonly transport?: EgressTransport;
  readonly transportDeps?: Omit<TransportDeps, 'storage' | 'hostname'>;
  /** Jobs in parallel (default 8: egress waits on remote servers, not on the CPU). */
  readonly concurrency?: number;
  /** Long-poll wait; also the longest stop() waits for an idle loop (default 1 s). */
  readonly waitSeconds?: number;
}

export interface EgressWorker {
  readonly transport: EgressTransport;
  stop(): Promise<void>;
}

/** Longer than any attempt may take (SMTP timeouts are minutes), so no job runs twice at once. */
const VISIBILITY_TIMEOUT_SECONDS = 900;

export function startEgressWorker(options: EgressWorkerOptions): EgressWorker {
  const { storage, config, hostname, logger } = options;
  const transport = options.transport ?? createEgressTransport(config, { storage, hostname, ...options.transportDeps });
  const deps: EgressDeps = {
    storage,
    queue: storage.outboundQueue,
    transport,
    signer: new DkimSigner(storage.directory, logger),
    dailyCap: new DailyRecipientCap(config.dailyRecipientCap),
    retry: config,
    hostname,
    logger,
  };
  const stopping = new AbortController();
  let running = true;

  async function loop(slot: number): Promise<void> {
    while (running) {
      let jobs;
      try {
        jobs = await storage.outboundQueue.receive({
          maxJobs: 1,
          visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
          waitSeconds: options.waitSeconds ?? 1,
        });
      } catch (error) {
        logger.warn('outbound queue receive failed', { slot, error });
        await sleep(1000, undefined, { signal: stopping.signal }).catch(() => undefined);
        continue;
      }
      for (const job of jobs) {
        try {
          await processOutboundJob(job, deps);
        } catch (error) {
          // Storage trouble: leave the job to reappear after its visibility timeout, sooner if we can.
          logger.error('outbound job failed; it will be retried', { jobId: job.id, messageId: job.body.messageId, error });
          await storage.outboundQueue.retry(job, 60).catch(() => undefined);
        }
      }
    }
  }

  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 8) }, (_, slot) => loop(slot));
  logger.info('egress worker started', { mode: transport.mode });
  return {
    transport,
    async stop() {
      running = false;
      stopping.abort();
      await Promise.all(loops);
      await transport.close();
    },
  };
}
