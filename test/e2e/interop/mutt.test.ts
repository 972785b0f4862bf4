// mutt against Yubin. mutt is interactive, so it runs on a pseudo-terminal (`script`) and is driven
// by `push`ed key sequences that end in <quit>: deterministic, no screen scraping. What mutt saw is
// read back by piping tagged messages into a file. It connects with STARTTLS on the plaintext port
// and verifies the certificate against the test CA (`certificate_file`), keeps a header cache and
// resynchronises it with QRESYNC (RFC 7162), and checks subscribed folders with STATUS.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { PASSWORD, missingBinary, numberedMessage, runClient, withInteropServer, type InteropServer } from './interop-server.js';

function muttrc(server: InteropServer): string {
  return [
    // imap:// + ssl_force_tls: STARTTLS or nothing; the user's @ is %40 in the URL.
    `set folder="imap://alice%40example.test@localhost:${server.imap.ports.imap}/"`,
    'set spoolfile="+INBOX"',
    `set imap_pass="${PASSWORD}"`,
    'set ssl_starttls=yes ssl_force_tls=yes',
    `set certificate_file="${server.ca.caPath}"`,
    `set header_cache="${server.home}/hcache"`,
    'set imap_condstore=yes imap_qresync=yes',
    'set imap_check_subscribed=yes',
    // No questions: quit, delete on sync, no move to mbox, no pauses after pipes.
    'set quit=yes delete=yes move=no confirmappend=no mark_old=no wait_key=no sleep_time=0 beep=no',
    'set pipe_split=yes',
    'set record="+Sent" copy=yes',
    `set sendmail="${server.home}/sendmail"`, // mutt splits this on spaces: a script, not sh -c
    'set from="Alice <alice@example.test>" use_from=yes',
    '',
  ].join('\n');
}

/** Runs mutt on a pty with the keys pushed, as a user would type them; returns the Message-IDs it piped out. */
async function mutt(server: InteropServer, keys: string): Promise<string[]> {
  const piped = path.join(server.home, 'piped');
  await rm(piped, { force: true });
  const pushed = keys.replaceAll('PIPE', `<pipe-message>cat >> ${piped}<enter>`);
  const command = `mutt -n -F ${server.home}/muttrc -e 'push "${pushed}<quit>"'`;
  // script -e: mutt's exit status; -c: the command on a fresh pty (mutt needs a terminal).
  const result = await runClient(server, 'script', ['-qec', command, '/dev/null'], 20_000);
  assert.equal(result.code, 0, `mutt failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  const text = await readFile(piped, 'utf8').catch(() => '');
  return [...text.matchAll(/^Message-ID: (<[^>]+>)/gim)].map((match) => match[1]!).sort();
}

const skip = missingBinary('mutt', 'mutt') || missingBinary('script', 'bsdutils');

test('mutt over STARTTLS: flag, delete, save to a folder; header cache resynced by QRESYNC; Fcc to Sent', { skip }, () =>
  withInteropServer(async (server) => {
    await writeFile(path.join(server.home, 'muttrc'), muttrc(server), { mode: 0o600 });
    await writeFile(path.join(server.home, 'sendmail'), `#!/bin/sh\ncat > ${server.home}/outbox\n`, { mode: 0o700 });
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const uid: Record<string, number> = {};
    for (const [i, word] of words.entries()) uid[word] = await server.deliver(numberedMessage(i + 1, word));
    const id = (word: string) => `<interop-${words.indexOf(word) + 1}-${word.length}@example.org>`;

    // 1. Flag bravo, delete charlie, save delta to Archive, then sync and quit.
    const all = await mutt(
      server,
      '<tag-pattern>~A<enter><tag-prefix>PIPE<untag-pattern>~A<enter>' +
        '<tag-pattern>~s bravo<enter><tag-prefix><flag-message><untag-pattern>~A<enter>' +
        '<delete-pattern>~s charlie<enter>' +
        '<tag-pattern>~s delta<enter><tag-prefix><save-message>=Archive<enter><sync-mailbox>',
    );
    assert.deepEqual(all, words.map(id).sort(), 'mutt listed every message');
    const inbox = await server.contents('INBOX');
    assert.deepEqual(
      inbox.map((m) => m.subject),
      ['alpha', 'bravo', 'echo', 'foxtrot'],
    );
    assert.ok(inbox.find((m) => m.subject === 'bravo')?.flags.includes('\\Flagged'));
    assert.deepEqual(
      (await server.contents('Archive')).map((m) => m.messageId),
      [id('delta')],
    );

    // 2. Changes behind mutt's back; its header cache must catch up (VANISHED + changed FLAGS).
    const box = await server.mailbox('INBOX');
    await server.storage.mailIndex.updateFlags(box.id, { uids: [uid.alpha!], operation: 'add', flags: ['\\Flagged'] });
    await server.storage.mailIndex.updateFlags(box.id, { uids: [uid.bravo!], operation: 'remove', flags: ['\\Flagged'] });
    await server.storage.mailIndex.updateFlags(box.id, { uids: [uid.echo!], operation: 'add', flags: ['\\Deleted'] });
    await server.storage.mailIndex.expunge(box.id, [uid.echo!]);
    await server.deliver(numberedMessage(7, 'golf'), 'INBOX', ['\\Flagged']);
    const flagged = await mutt(server, '<tag-pattern>~F<enter><tag-prefix>PIPE');
    assert.deepEqual(flagged, [id('alpha'), '<interop-7-4@example.org>'].sort(), 'flags as the server has them now');
    const seenNow = await mutt(server, '<tag-pattern>~A<enter><tag-prefix>PIPE');
    assert.deepEqual(
      seenNow,
      [id('alpha'), id('bravo'), id('foxtrot'), '<interop-7-4@example.org>'].sort(),
      'the expunged message is gone',
    );

    // 3. Batch send: the message goes to the sendmail command and a copy is APPENDed to Sent.
    const sent = await runClient(server, 'sh', [
      '-c',
      `echo 'See you at 10.' | mutt -n -F ${server.home}/muttrc -s 'batch subject' bob@example.org`,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(await readFile(path.join(server.home, 'outbox'), 'utf8'), /^Subject: batch subject$/m);
    const [copy] = await server.contents('Sent');
    assert.equal(copy?.subject, 'batch subject');
    assert.deepEqual(copy?.flags, ['\\Seen']);
  }),
);
