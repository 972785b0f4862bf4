// A loopback stand-in for the AWS NLB's PROXY protocol v2 (haproxy.org proxy-protocol.txt §2.2): a TCP
// relay that opens each connection to the target with a v2 header claiming a chosen client address,
// then pipes bytes both ways. Real clients (curl, fetch) connect to the relay as they would to the NLB.
import net from 'node:net';
import { once } from 'node:events';
import { PROXY_V2_SIGNATURE } from '../../core/net/proxy-protocol.js';

/** A v2 header: PROXY over TCP/IPv4 from `sourceIp`, or LOCAL (what the NLB's health checks send). */
export function proxyV2Header(command: 'PROXY' | 'LOCAL', sourceIp = '203.0.113.7', destinationPort = 443): Buffer {
  if (command === 'LOCAL') return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  const addresses = Buffer.alloc(12);
  Buffer.from(sourceIp.split('.').map(Number)).copy(addresses, 0);
  Buffer.from([10, 0, 0, 1]).copy(addresses, 4);
  addresses.writeUInt16BE(40_000, 8);
  addresses.writeUInt16BE(destinationPort, 10);
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 12]), addresses]);
}

export interface ProxyRelay {
  readonly port: number;
  close(): Promise<void>;
}

export async function startProxyV2Relay(targetPort: number, sourceIp: string): Promise<ProxyRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pause();
    upstream.once('connect', () => {
      upstream.write(proxyV2Header('PROXY', sourceIp, targetPort));
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
