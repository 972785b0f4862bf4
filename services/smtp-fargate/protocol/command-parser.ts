// Command line → typed SmtpCommand (RFC 5321 §4.1.1). Verbs are case-insensitive; the line has
// already lost its CRLF. Nothing here throws on client input: bad lines become parse errors.
import type { CommandParseResult, SmtpCommand } from './commands.js';
import { parsePathAndParams, toMailParams, toRcptParams } from './esmtp-params.js';

function ok(command: SmtpCommand): CommandParseResult {
  return { ok: true, command };
}

function syntax(detail: string): CommandParseResult {
  return { ok: false, error: 'syntax', detail };
}

const NO_ARGUMENT_VERBS = { DATA: true, RSET: true, NOOP: true, QUIT: true, STARTTLS: true } as const;

export function parseCommandLine(line: string): CommandParseResult {
  const space = line.indexOf(' ');
  const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1);
  switch (verb) {
    case 'EHLO':
    case 'HELO': {
      const domain = rest.trim();
      if (domain === '' || /\s/u.test(domain)) return syntax(`${verb} needs your host name`);
      return ok({ verb, domain });
    }
    case 'MAIL':
    case 'RCPT': {
      const prefix = verb === 'MAIL' ? 'FROM:' : 'TO:';
      if (rest.slice(0, prefix.length).toUpperCase() !== prefix) return syntax(`use ${verb} ${prefix}<address>`);
      const parsed = parsePathAndParams(rest.slice(prefix.length), verb === 'MAIL');
      if (!parsed.ok) return parsed;
      if (verb === 'MAIL') {
        const params = toMailParams(parsed.value.params);
        return params.ok ? ok({ verb, path: parsed.value.path, params: params.value }) : params;
      }
      const params = toRcptParams(parsed.value.params);
      return params.ok ? ok({ verb, path: parsed.value.path, params: params.value }) : params;
    }
    case 'BDAT': {
      // RFC 3030 §2: BDAT SP chunk-size [SP end-marker]
      const match = /^(\d{1,15})(?: (LAST))?$/iu.exec(rest.trim());
      if (match === null) return syntax('use BDAT <octets> [LAST]');
      return ok({ verb, chunkBytes: Number(match[1]), last: match[2] !== undefined });
    }
    case 'VRFY':
      return ok({ verb, argument: rest.trim() });
    case 'HELP':
      return ok({ verb, topic: rest.trim() });
    case 'AUTH': {
      // RFC 4954 §4: AUTH mechanism [initial-response]
      const [mechanism, initialResponse, extra] = rest.trim().split(' ');
      if (mechanism === undefined || mechanism === '' || extra !== undefined) return syntax('use AUTH <mechanism> [initial-response]');
      return ok({ verb, mechanism: mechanism.toUpperCase(), initialResponse: initialResponse ?? null });
    }
    default:
      if (verb in NO_ARGUMENT_VERBS) {
        // NOOP may carry a string (RFC 5321 §4.1.1.9); the others take nothing.
        if (rest.trim() !== '' && verb !== 'NOOP') return syntax(`${verb} takes no arguments`);
        return ok({ verb: verb as keyof typeof NO_ARGUMENT_VERBS });
      }
      return { ok: false, error: 'unrecognized', detail: 'command not recognized' };
  }
}
