// The CSV of `import --all-users`: `address,password[,source-login]` per line (RFC 4180 quoting,
// so passwords may hold commas and quotes); a first line naming the columns is skipped.
import { CliError } from '../cli-context.js';

export interface ImportAccount {
  readonly address: string;
  readonly password: string;
  /** Login at the source when it differs from the address (WorkMail takes the address). */
  readonly sourceLogin: string;
}

function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new CliError('the CSV ends inside a quoted field');
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records.filter((r) => r.some((cell) => cell.trim() !== ''));
}

export function parseAccountsCsv(text: string): ImportAccount[] {
  const records = parseCsvRecords(text);
  if (records.length > 0 && /^(e-?mail|address)$/iu.test(records[0]![0]!.trim())) records.shift();
  return records.map((record, index) => {
    const [address, password, login] = record.map((cell) => cell.trim());
    if (!address || !password) throw new CliError(`CSV line ${index + 1}: expected address,password[,source-login]`);
    return { address, password: record[1]!, sourceLogin: login || address };
  });
}
