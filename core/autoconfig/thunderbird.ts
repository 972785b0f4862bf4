// Thunderbird autoconfig (config-v1.1.xml, the format of Mozilla's ISPDB, also read by K-9/Thunderbird
// for Android, Evolution and KMail): IMAP and POP3 over TLS, SMTP submission on 465 and 587.
import type { MailEndpoints } from './mail-endpoints.js';
import { element, escapeXml } from './xml.js';

function server(
  kind: 'incomingServer' | 'outgoingServer',
  type: string,
  hostname: string,
  port: number,
  socketType: 'SSL' | 'STARTTLS',
): string {
  return [
    `    <${kind} type="${type}">`,
    `      ${element('hostname', hostname)}`,
    `      ${element('port', port)}`,
    `      ${element('socketType', socketType)}`,
    '      <authentication>password-cleartext</authentication>',
    '      <username>%EMAILADDRESS%</username>',
    `    </${kind}>`,
  ].join('\n');
}

export function thunderbirdConfig(domain: string, endpoints: MailEndpoints): string {
  const host = endpoints.hostname;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain)}">`,
    `    ${element('domain', domain)}`,
    `    ${element('displayName', `${domain} mail`)}`,
    `    ${element('displayShortName', domain)}`,
    server('incomingServer', 'imap', host, endpoints.imaps, 'SSL'),
    server('incomingServer', 'pop3', host, endpoints.pop3s, 'SSL'),
    server('outgoingServer', 'smtp', host, endpoints.submissions, 'SSL'),
    server('outgoingServer', 'smtp', host, endpoints.submission, 'STARTTLS'),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}
