// Maildir and Maildir++ (Dovecot, Courier): the root's cur/ and new/ are INBOX; sub-folders are
// `.Name.Sub` directories with names in modified UTF-7 (RFC 3501 §5.1.3). Flags come from the
// `:2,` info suffix, keywords from Dovecot's dovecot-keywords letters; the internal date is the
// file's mtime, which Dovecot and Courier use as the received date.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeMutf7 } from '../../mail/mutf7.js';
import { CliError } from '../cli-context.js';
import { toCrlf, type ImportEstimate, type ImportMessage, type ImportSource } from './import-source.js';

/** Maildir info flags (cr.yp.to/proto/maildir.html) → IMAP flags; P(assed) is $Forwarded. */
const INFO_FLAGS: Readonly<Record<string, string>> = {
  D: '\\Draft',
  F: '\\Flagged',
  P: '$Forwarded',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
};

interface MaildirFolder {
  readonly name: string;
  readonly directory: string;
  /** Dovecot keyword letters a–z → keyword names (dovecot-keywords: `0 $Label1`). */
  readonly keywords: ReadonlyMap<string, string>;
}

async function isMaildir(directory: string): Promise<boolean> {
  try {
    return (await stat(path.join(directory, 'cur'))).isDirectory();
  } catch {
    return false;
  }
}

async function readKeywords(directory: string): Promise<Map<string, string>> {
  const keywords = new Map<string, string>();
  try {
    for (const line of (await readFile(path.join(directory, 'dovecot-keywords'), 'utf8')).split('\n')) {
      const match = /^(\d+) (\S+)$/u.exec(line.trim());
      if (match && Number(match[1]) < 26) keywords.set(String.fromCharCode(0x61 + Number(match[1])), match[2]!);
    }
  } catch {
    // No keywords file: no keywords.
  }
  return keywords;
}

export function flagsFromFileName(fileName: string, keywords: ReadonlyMap<string, string>): string[] {
  const info = /:2,([A-Za-z]*)$/u.exec(fileName)?.[1] ?? '';
  const flags: string[] = [];
  for (const letter of info) {
    const flag = INFO_FLAGS[letter] ?? keywords.get(letter);
    if (flag) flags.push(flag);
  }
  return flags;
}

export class MaildirSource implements ImportSource {
  readonly description: string;
  constructor(
    private readonly root: string,
    private readonly maxMessageBytes: number,
  ) {
    this.description = `maildir ${root}`;
  }

  private async folders(): Promise<MaildirFolder[]> {
    if (!(await isMaildir(this.root))) throw new CliError(`${this.root} is not a Maildir: it has no cur/ directory`);
    const folders: MaildirFolder[] = [{ name: 'INBOX', directory: this.root, keywords: await readKeywords(this.root) }];
    for (const entry of (await readdir(this.root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const directory = path.join(this.root, entry.name);
      if (!entry.isDirectory() || !entry.name.startsWith('.') || entry.name === '.' || entry.name === '..' || !(await isMaildir(directory)))
        continue;
      const name = decodeMutf7(entry.name.slice(1));
      if (name === null) throw new CliError(`folder ${entry.name} has an invalid modified UTF-7 name`);
      folders.push({ name: name.split('.').join('/'), directory, keywords: await readKeywords(directory) });
    }
    return folders;
  }

  /** cur/ and new/ together, by file name: names start with the delivery time, so this is arrival order. */
  private async files(folder: MaildirFolder): Promise<string[]> {
    const files: { name: string; full: string }[] = [];
    for (const sub of ['cur', 'new']) {
      const names = await readdir(path.join(folder.directory, sub)).catch(() => [] as string[]);
      for (const name of names) if (!name.startsWith('.')) files.push({ name, full: path.join(folder.directory, sub, name) });
    }
    return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((file) => file.full);
  }

  async estimate(): Promise<ImportEstimate> {
    let messages = 0;
    let bytes = 0;
    for (const folder of await this.folders()) {
      for (const file of await this.files(folder)) {
        messages++;
        bytes += (await stat(file)).size;
      }
    }
    return { messages, bytes };
  }

  async *messages(): AsyncGenerator<ImportMessage> {
    for (const folder of await this.folders()) {
      for (const file of await this.files(folder)) {
        const info = await stat(file);
        if (info.size > this.maxMessageBytes) throw new CliError(`${file} is larger than ${this.maxMessageBytes} bytes`);
        yield {
          folder: folder.name,
          specialUse: null,
          flags: flagsFromFileName(path.basename(file), folder.keywords),
          internalDate: info.mtime,
          bytes: toCrlf(await readFile(file)),
        };
      }
    }
  }

  async close(): Promise<void> {}
}
