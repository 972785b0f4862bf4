// The command table: every POP3 verb this server knows, with the states that allow it.
import { authCommand } from './auth.js';
import { capaCommand } from './capa.js';
import { deleCommand } from './dele.js';
import { listCommand } from './list.js';
import { noopCommand } from './noop.js';
import { passCommand } from './pass.js';
import { quitCommand } from './quit.js';
import { retrCommand } from './retr.js';
import { rsetCommand } from './rset.js';
import { statCommand } from './stat.js';
import { stlsCommand } from './stls.js';
import { topCommand } from './top.js';
import { uidlCommand } from './uidl.js';
import { userCommand } from './user.js';
import type { Pop3CommandTable } from './types.js';

export const POP3_COMMANDS: Pop3CommandTable = {
  USER: userCommand,
  PASS: passCommand,
  AUTH: authCommand,
  STLS: stlsCommand,
  CAPA: capaCommand,
  STAT: statCommand,
  LIST: listCommand,
  UIDL: uidlCommand,
  RETR: retrCommand,
  TOP: topCommand,
  DELE: deleCommand,
  NOOP: noopCommand,
  RSET: rsetCommand,
  QUIT: quitCommand,
};
