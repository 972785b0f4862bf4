// A loopback DNS server (dns2, UDP on 127.0.0.1, port 0) answering MX, A and TXT from a mutable
// zone map: the egress tests resolve MX hosts with it, the ACME tests let pebble read DNS-01 records.
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';

export interface ZoneRecords {
  readonly mx?: readonly { readonly priority: number; readonly exchange: string }[];
  readonly a?: readonly string[];
  readonly txt?: readonly string[];
}

export interface LoopbackDns {
  /** `127.0.0.1:port`, for Resolver.setServers. */
  readonly server: string;
  readonly zone: Map<string, ZoneRecords>;
  close(): Promise<void>;
}

/** RFC 1035 §4.1.1 RCODE 3: the name does not exist. */
const NXDOMAIN = 3;

/** Names absent from `zone` answer NXDOMAIN, as a real authoritative server would. */
export async function startLoopbackDns(zone: Map<string, ZoneRecords>): Promise<LoopbackDns> {
  const { Packet } = dns2;
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0]!;
      const records = zone.get(question.name.toLowerCase());
      // dns2's typings want Resource instances; its encoder takes plain records.
      const answer = (type: number, rdata: object) =>
        response.answers.push({
          name: question.name,
          type,
          class: Packet.CLASS.IN,
          ttl: 60,
          ...rdata,
        } as unknown as (typeof response.answers)[number]);
      if (!records) response.header.rcode = NXDOMAIN;
      else if (question.type === Packet.TYPE.MX) for (const mx of records.mx ?? []) answer(Packet.TYPE.MX, mx);
      else if (question.type === Packet.TYPE.A) for (const address of records.a ?? []) answer(Packet.TYPE.A, { address });
      else if (question.type === Packet.TYPE.TXT) for (const data of records.txt ?? []) answer(Packet.TYPE.TXT, { data });
      send(response);
    },
  });
  const listening = new Promise((resolve) => server.on('listening', resolve));
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  await listening;
  const port = (server.addresses().udp as AddressInfo).port;
  return { server: `127.0.0.1:${port}`, zone, close: () => server.close() };
}
