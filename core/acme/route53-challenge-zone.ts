// DNS-01 records in a Route 53 hosted zone. All records of a run go in one atomic change batch, and
// publish() returns only when GetChange reports INSYNC: every Route 53 authoritative server answers
// them, so the CA's lookup cannot race the propagation.
import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, type Change, type Route53Client } from '@aws-sdk/client-route-53';
import type { ChallengeRecordZone, DnsChallengeRecord } from './ports.js';

export interface Route53ChallengeZoneOptions {
  /** Short, so a leftover record is forgotten by resolvers soon. Default: 60 s. */
  readonly ttlSeconds?: number;
  /** Give up waiting for INSYNC after this long (Route 53 usually needs well under a minute). Default: 3 min. */
  readonly syncTimeoutMs?: number;
}

const FIRST_POLL_MS = 1_000;
const MAX_POLL_MS = 10_000;

export class Route53ChallengeZone implements ChallengeRecordZone {
  private readonly ttlSeconds: number;
  private readonly syncTimeoutMs: number;

  constructor(
    private readonly client: Route53Client,
    private readonly hostedZoneId: string,
    options: Route53ChallengeZoneOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 60;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 180_000;
  }

  async publish(records: readonly DnsChallengeRecord[]): Promise<void> {
    const changeId = await this.change('UPSERT', records);
    await this.waitInSync(changeId);
  }

  /** A DELETE must repeat the record set exactly (name, type, TTL, every value), which grouping does. */
  async remove(records: readonly DnsChallengeRecord[]): Promise<void> {
    await this.change('DELETE', records);
  }

  private async change(action: 'UPSERT' | 'DELETE', records: readonly DnsChallengeRecord[]): Promise<string> {
    const { ChangeInfo } = await this.client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: this.hostedZoneId,
        ChangeBatch: { Comment: 'Yubin ACME DNS-01 challenge', Changes: this.recordSets(action, records) },
      }),
    );
    if (ChangeInfo?.Id === undefined) throw new Error('Route 53 returned no change id');
    return ChangeInfo.Id;
  }

  /** One TXT record set per name, holding every value for it (RFC 8555 §8.4 allows several). */
  private recordSets(action: 'UPSERT' | 'DELETE', records: readonly DnsChallengeRecord[]): Change[] {
    const valuesByName = new Map<string, string[]>();
    for (const { name, value } of records) valuesByName.set(name, [...(valuesByName.get(name) ?? []), value]);
    return [...valuesByName].map(([name, values]) => ({
      Action: action,
      ResourceRecordSet: {
        Name: name,
        Type: 'TXT',
        TTL: this.ttlSeconds,
        // Route 53 wants TXT character-strings quoted (RFC 1035 §5.1); the values are base64url.
        ResourceRecords: values.map((value) => ({ Value: `"${value}"` })),
      },
    }));
  }

  private async waitInSync(changeId: string): Promise<void> {
    const deadline = Date.now() + this.syncTimeoutMs;
    for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      const { ChangeInfo } = await this.client.send(new GetChangeCommand({ Id: changeId }));
      if (ChangeInfo?.Status === 'INSYNC') return;
      if (Date.now() + delay > deadline) throw new Error(`Route 53 change ${changeId} not in sync after ${this.syncTimeoutMs} ms`);
      await sleep(delay);
    }
  }
}
