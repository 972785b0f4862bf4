// Route53ChallengeZone against the Route 53 stand-in, whose changes reach a loopback DNS server only
// once they are INSYNC: what a resolver sees after publish() and after remove().
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, test } from 'node:test';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53ChallengeZone } from '../../../../core/acme/route53-challenge-zone.js';
import { startLoopbackDns, type LoopbackDns } from '../../../support/loopback-dns.js';
import { startRoute53StandIn, type Route53StandIn } from '../../../support/route53-stand-in.js';

const ZONE_ID = 'ZUNITTEST';
let dns: LoopbackDns;
let route53: Route53StandIn;
let client: Route53Client;
const resolver = new Resolver();

before(async () => {
  dns = await startLoopbackDns(new Map());
  route53 = await startRoute53StandIn(ZONE_ID, dns.zone);
  resolver.setServers([dns.server]);
  client = new Route53Client({
    region: 'us-east-1',
    endpoint: route53.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
  });
});

after(async () => {
  client.destroy();
  await route53.close();
  await dns.close();
});

const txt = (name: string) => resolver.resolveTxt(name).then((records) => records.map((strings) => strings.join('')).sort());

test('publish returns once DNS answers every value; remove takes them all away', async () => {
  const zone = new Route53ChallengeZone(client, ZONE_ID);
  const records = [
    { name: '_acme-challenge.mail.example.com', value: 'first-value' },
    { name: '_acme-challenge.mail.example.com', value: 'second-value' },
    { name: '_acme-challenge.mta-sts.example.com', value: 'third-value' },
  ];
  await zone.publish(records);
  assert.deepEqual(await txt('_acme-challenge.mail.example.com'), ['first-value', 'second-value']);
  assert.deepEqual(await txt('_acme-challenge.mta-sts.example.com'), ['third-value']);
  assert.equal(route53.changes.at(-1)?.length, 2, 'one record set per name, in one change batch');

  await zone.remove(records);
  assert.deepEqual([...route53.recordSets.keys()], []);
  const changes = route53.changes.length;
  await assert.rejects(zone.remove(records), /not found/, 'deleting records that are gone is an error Route 53 reports');
  assert.equal(route53.changes.length, changes);
});

test('a zone it may not write fails the publish instead of waiting', async () => {
  const zone = new Route53ChallengeZone(client, 'ZSOMEONEELSE');
  await assert.rejects(zone.publish([{ name: '_acme-challenge.mail.example.com', value: 'v' }]), /No hosted zone/);
});
