// Flag lists in STORE and APPEND (RFC 3501 §2.3.2): system flags in canonical case, keywords as atoms.
import type { Token } from '../protocol/command-tokens.js';
import { bad } from './replies.js';

const SYSTEM = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]));
const KEYWORD = /^[!#$&'+-[^-z|}~]{1,100}$/u;

export function parseFlags(tokens: readonly Token[]): string[] {
  const flags: string[] = [];
  for (const token of tokens) {
    if (token.kind !== 'atom') throw bad('Flags must be atoms');
    const system = SYSTEM.get(token.value.toLowerCase());
    if (system !== undefined) flags.push(system);
    else if (token.value.toLowerCase() === '\\recent') continue; // RFC 3501 §2.3.2: clients cannot set or clear \Recent
    else if (token.value.startsWith('\\')) throw bad(`Unknown system flag ${token.value.slice(0, 20)}`);
    else if (!KEYWORD.test(token.value)) throw bad('Malformed keyword');
    else flags.push(token.value);
  }
  return [...new Set(flags)];
}
