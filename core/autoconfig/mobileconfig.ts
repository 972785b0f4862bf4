// Apple configuration profile (.mobileconfig, a property list) with one com.apple.mail.managed
// payload: iOS, iPadOS and macOS Mail set up IMAP and SMTP from it and ask for the password.
// UUIDs derive from address and host, so downloading the profile again replaces the account.
import { createHash } from 'node:crypto';
import type { MailEndpoints } from './mail-endpoints.js';
import { element, escapeXml } from './xml.js';

function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  // RFC 9562 §5.8 layout (version 8, custom), uppercase as Apple writes them.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

type PlistValue = string | number | boolean | readonly PlistValue[] | { readonly [key: string]: PlistValue };

function plist(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}${element('string', value)}`;
  if (typeof value === 'number') return `${indent}${element('integer', value)}`;
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (Array.isArray(value))
    return [`${indent}<array>`, ...value.map((item: PlistValue) => plist(item, indent + '  ')), `${indent}</array>`].join('\n');
  const entries = Object.entries(value as { readonly [key: string]: PlistValue });
  return [
    `${indent}<dict>`,
    ...entries.flatMap(([key, item]) => [`${indent}  <key>${escapeXml(key)}</key>`, plist(item, indent + '  ')]),
    `${indent}</dict>`,
  ].join('\n');
}

export function appleMobileconfig(address: string, endpoints: MailEndpoints): string {
  const host = endpoints.hostname;
  const reverseHost = host.split('.').reverse().join('.');
  const mail = {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: `${reverseHost}.yubin.mail.${address}`,
    PayloadUUID: stableUuid('mail', address, host),
    PayloadDisplayName: address,
    EmailAccountDescription: address,
    EmailAccountType: 'EmailTypeIMAP',
    EmailAddress: address,
    IncomingMailServerHostName: host,
    IncomingMailServerPortNumber: endpoints.imaps,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: host,
    OutgoingMailServerPortNumber: endpoints.submissions,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: address,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingPasswordSameAsIncomingPassword: true,
  };
  const profile = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: `${reverseHost}.yubin.profile.${address}`,
    PayloadUUID: stableUuid('profile', address, host),
    PayloadDisplayName: `Mail for ${address}`,
    PayloadDescription: `IMAP and SMTP settings for ${address} on ${host}`,
    PayloadContent: [mail],
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plist(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}
