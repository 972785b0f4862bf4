// Outlook autodiscover, plain-old-XML flavour ([MS-OXDSCLI] §2.2.4): the client POSTs a request
// naming its address and gets IMAP and SMTP settings. Only the address is read from the request.
import type { MailEndpoints } from './mail-endpoints.js';
import { element } from './xml.js';

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** The `<EMailAddress>` of an autodiscover request, or null. */
export function autodiscoverRequestAddress(body: string): string | null {
  const match = /<(?:\w+:)?EMailAddress>\s*([^<\s]+)\s*<\/(?:\w+:)?EMailAddress>/u.exec(body);
  return match?.[1] ?? null;
}

function protocol(type: 'IMAP' | 'POP3' | 'SMTP', server: string, port: number, loginName: string, encryption: 'SSL' | 'TLS'): string {
  return [
    '      <Protocol>',
    `        ${element('Type', type)}`,
    `        ${element('Server', server)}`,
    `        ${element('Port', port)}`,
    '        <DomainRequired>off</DomainRequired>',
    `        ${element('LoginName', loginName)}`,
    '        <SPA>off</SPA>',
    // [MS-OXDSCLI] §2.2.4.1.1.2.3.1: Encryption overrides SSL; TLS here means STARTTLS.
    `        ${element('Encryption', encryption)}`,
    '        <AuthRequired>on</AuthRequired>',
    '      </Protocol>',
  ].join('\n');
}

export function autodiscoverResponse(address: string, endpoints: MailEndpoints): string {
  const host = endpoints.hostname;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_NS}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    protocol('IMAP', host, endpoints.imaps, address, 'SSL'),
    protocol('POP3', host, endpoints.pop3s, address, 'SSL'),
    protocol('SMTP', host, endpoints.submissions, address, 'SSL'),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
