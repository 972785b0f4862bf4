// First start of the all-in-one local server: an empty directory gets domain `example.test` (with a
// DKIM key, so outgoing mail is signed) and a demo user with a random password (design brief §7),
// so a newcomer can connect a client at once.
// The password is kept in `<dataDir>/demo-credentials.json` (mode 0600) to be shown on later starts.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../auth/password.js';
import { defaultDkimSelector, generateDkimKey } from '../dkim/generate-dkim-key.js';
import type { Directory } from '../ports/directory.js';
import type { MailIndex } from '../ports/mail-index.js';
import { ensureDefaultMailboxes } from '../storage/default-mailboxes.js';

export const DEMO_DOMAIN = 'example.test';
export const DEMO_ADDRESS = `demo@${DEMO_DOMAIN}`;

export interface DemoCredentials {
  readonly address: string;
  readonly password: string;
}

const credentialsFile = (dataDir: string) => path.join(dataDir, 'demo-credentials.json');

/** Creates the demo domain and user when no domain exists yet; returns the demo credentials if known. */
export async function provisionFirstRun(directory: Directory, mailIndex: MailIndex, dataDir: string): Promise<DemoCredentials | null> {
  if ((await directory.listDomains()).length === 0) {
    const password = randomBytes(12).toString('base64url');
    await directory.addDomain(DEMO_DOMAIN);
    await directory.putDkimKey(generateDkimKey(DEMO_DOMAIN, defaultDkimSelector(new Date())));
    const user = await directory.addUser({ address: DEMO_ADDRESS, passwordHash: await hashPassword(password) });
    await ensureDefaultMailboxes(mailIndex, user.id);
    const credentials: DemoCredentials = { address: DEMO_ADDRESS, password };
    await writeFile(credentialsFile(dataDir), JSON.stringify(credentials) + '\n', { mode: 0o600 });
    return credentials;
  }
  try {
    const saved = JSON.parse(await readFile(credentialsFile(dataDir), 'utf8')) as DemoCredentials;
    return (await directory.getUser(saved.address)) === null ? null : saved;
  } catch {
    return null;
  }
}
