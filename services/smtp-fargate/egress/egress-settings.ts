// What the egress worker is told by its composition root (core/config/egress.ts reads it from the
// environment; the lint rule keeps config out of services, so the shape is declared here).
/** How outbound mail leaves: `sink` locally, `ses` by default on AWS (§8: outbound port 25 is blocked). */
export type EgressMode = 'sink' | 'ses' | 'direct' | 'smarthost';

export interface SmarthostSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is required. */
  readonly implicitTls: boolean;
  readonly user?: string;
  readonly password?: string;
}

/** Asked before each relay session: fixed settings, or a secret re-read through a cache (rotated credentials). */
export type SmarthostSettingsSource = () => Promise<SmarthostSettings>;

export interface EgressSettings {
  readonly mode: EgressMode;
  /** Retries stop this long after the first attempt (default 5 days, the usual MTA queue lifetime). */
  readonly expirySeconds: number;
  /** First retry delay; each later one doubles, up to maxRetryDelaySeconds. */
  readonly retryBaseDelaySeconds: number;
  readonly maxRetryDelaySeconds: number;
  /** Send one "still trying" DSN after this long; 0 = never. */
  readonly delayNoticeAfterSeconds: number;
  /** Recipients one user may send to per UTC day; 0 = no cap. */
  readonly dailyRecipientCap: number;
  /** Simultaneous SMTP sessions to one destination domain (large providers throttle more). */
  readonly perDomainConcurrency: number;
  /** Messages per minute to one destination domain. */
  readonly perDomainMessagesPerMinute: number;
  /** Resolvers for MX lookups, `ip` or `ip:port`; empty = the system's. */
  readonly dnsServers: readonly string[];
  /** Port of remote MX hosts (25; tests point it at a loopback port). */
  readonly remoteSmtpPort: number;
  /** From the environment; a SmarthostSettingsSource given to the transport takes precedence. */
  readonly smarthost?: SmarthostSettings;
  /** SESv2 endpoint override (a local stand-in in tests). */
  readonly sesEndpoint?: string;
  readonly sesRegion: string;
}
