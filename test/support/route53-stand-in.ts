// A loopback stand-in for the Route 53 REST/XML API (2013-04-01): ChangeResourceRecordSets (CREATE,
// UPSERT, DELETE of TXT record sets in one hosted zone) and GetChange. Like Route 53, a change is
// atomic, starts PENDING, and reaches the authoritative servers (here: a loopback DNS zone) only when
// it turns INSYNC; a DELETE must repeat the record set exactly or the whole batch is rejected.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZoneRecords } from './loopback-dns.js';

export interface RecordSet {
  readonly ttl: number;
  readonly values: readonly string[];
}

interface ParsedChange {
  readonly action: string;
  readonly name: string;
  readonly type: string;
  readonly set: RecordSet;
}

export interface Route53StandIn {
  readonly endpoint: string;
  /** TXT record sets as the Route 53 API holds them, by lower-case name without the final dot. */
  readonly recordSets: ReadonlyMap<string, RecordSet>;
  /** Every change batch received, in order. */
  readonly changes: { readonly action: string; readonly name: string }[][];
  close(): Promise<void>;
}

/** Route 53 propagates on its own even if nobody asks: a change turns INSYNC after this long at most. */
const SYNC_AFTER_MS = 1_000;
const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

const XML_ENTITIES: Readonly<Record<string, string>> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };

/** The text of every `<tag>` element, entities decoded (the SDK writes TXT quotes as &quot;). */
const between = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) =>
    (match[1] ?? '').replace(/&(quot|apos|lt|gt|amp);/g, (_, name: string) => XML_ENTITIES[name] ?? ''),
  );

function parseChanges(xml: string): ParsedChange[] {
  return between(xml, 'Change').map((change) => ({
    action: between(change, 'Action')[0] ?? '',
    name: (between(change, 'Name')[0] ?? '').toLowerCase().replace(/\.$/, ''),
    type: between(change, 'Type')[0] ?? '',
    set: { ttl: Number(between(change, 'TTL')[0]), values: between(change, 'Value') },
  }));
}

const sameSet = (a: RecordSet, b: RecordSet): boolean => a.ttl === b.ttl && [...a.values].sort().join() === [...b.values].sort().join();

function changeInfo(root: string, id: string, status: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${XMLNS}"><ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo></${root}>`;
}

function errorReply(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
}

/** `dnsZone` is the loopback DNS server's zone: INSYNC changes show up there as TXT records. */
export async function startRoute53StandIn(hostedZoneId: string, dnsZone: Map<string, ZoneRecords>): Promise<Route53StandIn> {
  const recordSets = new Map<string, RecordSet>();
  const changes: { action: string; name: string }[][] = [];
  const pending = new Map<string, { apply: () => void; polls: number }>();
  const timers = new Set<NodeJS.Timeout>();
  const known = new Set<string>();

  const sync = (id: string): void => {
    pending.get(id)?.apply();
    pending.delete(id);
  };

  const changeRecordSets = (batch: ParsedChange[]): [number, string] => {
    for (const change of batch) {
      if (change.type !== 'TXT') return [400, errorReply('InvalidInput', `the stand-in holds TXT records only, got ${change.type}`)];
      const existing = recordSets.get(change.name);
      if (change.action === 'DELETE' && (existing === undefined || !sameSet(existing, change.set))) {
        return [
          400,
          errorReply('InvalidChangeBatch', `Tried to delete resource record set [name='${change.name}.', type='TXT'] but it was not found`),
        ];
      }
      if (change.action === 'CREATE' && existing !== undefined) {
        return [
          400,
          errorReply(
            'InvalidChangeBatch',
            `Tried to create resource record set [name='${change.name}.', type='TXT'] but it already exists`,
          ),
        ];
      }
    }
    for (const change of batch) {
      if (change.action === 'DELETE') recordSets.delete(change.name);
      else recordSets.set(change.name, change.set);
    }
    changes.push(batch.map(({ action, name }) => ({ action, name })));
    const id = `C${changes.length}STANDIN`;
    known.add(id);
    // What the authoritative servers answer once the change is in sync: TXT values without their quotes.
    const published = batch.map(
      (change) => [change.name, change.action === 'DELETE' ? null : change.set.values.map((v) => v.replace(/^"|"$/g, ''))] as const,
    );
    pending.set(id, {
      polls: 0,
      apply: () => {
        for (const [name, txt] of published) {
          if (txt === null) dnsZone.delete(name);
          else dnsZone.set(name, { txt });
        }
      },
    });
    const timer = setTimeout(() => {
      timers.delete(timer);
      sync(id);
    }, SYNC_AFTER_MS);
    timers.add(timer);
    return [200, changeInfo('ChangeResourceRecordSetsResponse', id, 'PENDING')];
  };

  /** The first poll of a change says PENDING; the next finds it INSYNC. */
  const getChange = (id: string): [number, string] => {
    if (!known.has(id)) return [404, errorReply('NoSuchChange', `A change with the specified change ID does not exist: ${id}`)];
    const change = pending.get(id);
    if (change !== undefined && change.polls++ === 0) return [200, changeInfo('GetChangeResponse', id, 'PENDING')];
    sync(id);
    return [200, changeInfo('GetChangeResponse', id, 'INSYNC')];
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(url);
      const change = /^\/2013-04-01\/change\/([^/?]+)/.exec(url);
      let reply: [number, string];
      if (!(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) reply = [403, errorReply('AccessDenied', 'unsigned request')];
      else if (req.method === 'POST' && rrset?.[1] === hostedZoneId) reply = changeRecordSets(parseChanges(body));
      else if (req.method === 'POST' && rrset) reply = [404, errorReply('NoSuchHostedZone', `No hosted zone found with ID: ${rrset[1]}`)];
      else if (req.method === 'GET' && change?.[1] !== undefined) reply = getChange(change[1]);
      else reply = [400, errorReply('InvalidInput', `the stand-in does not serve ${req.method} ${url}`)];
      res.writeHead(reply[0], { 'content-type': 'text/xml' });
      res.end(reply[1]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recordSets,
    changes,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
