// Builds the transport the configuration names (design brief §3 egress modes). Only this file knows
// all four; the worker sees the one interface.
import type { ConnectionOptions } from 'node:tls';
import type { EgressSettings, SmarthostSettingsSource } from './egress-settings.js';
import type { Storage } from '../../../core/ports/index.js';
import { DomainLimiter } from './limits.js';
import { MtaStsPolicies, type MtaStsPolicyFetcher } from './mta-sts.js';
import { createResolver } from '../../../core/net/dns-resolver.js';
import { MxResolver } from './mx-resolver.js';
import type { EgressTransport } from './transport.js';
import { DirectTransport } from './transports/direct.js';
import { SesTransport } from './transports/ses.js';
import { SinkTransport } from './transports/sink.js';
import { SmarthostTransport } from './transports/smarthost.js';

export interface TransportDeps {
  readonly storage: Pick<Storage, 'blobs' | 'directory' | 'mailIndex'>;
  /** Our EHLO name. */
  readonly hostname: string;
  /** Tests serve MTA-STS policies from a loopback HTTPS server. */
  readonly mtaStsFetcher?: MtaStsPolicyFetcher;
  /** Extra TLS options for outgoing SMTP (tests trust their own CA). */
  readonly tlsOptions?: ConnectionOptions;
  readonly sesCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Smarthost settings read at run time (the smarthost secret on AWS); default: config.smarthost. */
  readonly smarthostSettings?: SmarthostSettingsSource;
}

export function createEgressTransport(config: EgressSettings, deps: TransportDeps): EgressTransport {
  switch (config.mode) {
    case 'sink':
      return new SinkTransport(deps.storage);
    case 'ses':
      return new SesTransport({ region: config.sesRegion, endpoint: config.sesEndpoint, credentials: deps.sesCredentials });
    case 'smarthost': {
      const fixed = config.smarthost;
      const settings = deps.smarthostSettings ?? (fixed ? async () => fixed : undefined);
      if (!settings) throw new Error('smarthost mode needs smarthost settings');
      return new SmarthostTransport(settings, deps.hostname, deps.tlsOptions);
    }
    case 'direct': {
      const mx = new MxResolver(createResolver(config.dnsServers));
      return new DirectTransport({
        heloName: deps.hostname,
        mx,
        mtaSts: new MtaStsPolicies(mx, deps.mtaStsFetcher),
        limiter: new DomainLimiter(config.perDomainConcurrency, config.perDomainMessagesPerMinute),
        port: config.remoteSmtpPort,
        tlsOptions: deps.tlsOptions,
      });
    }
  }
}
