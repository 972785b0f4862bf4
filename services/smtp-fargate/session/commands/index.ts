// The verb table: one handler per verb, each declaring the states it is valid in.
import type { CommandTable } from '../command.js';
import { auth } from './auth.js';
import { bdat } from './bdat.js';
import { data } from './data.js';
import { ehlo } from './ehlo.js';
import { helo } from './helo.js';
import { help } from './help.js';
import { mail } from './mail.js';
import { noop } from './noop.js';
import { quit } from './quit.js';
import { rcpt } from './rcpt.js';
import { rset } from './rset.js';
import { starttls } from './starttls.js';
import { vrfy } from './vrfy.js';

export const COMMANDS: CommandTable = {
  EHLO: ehlo,
  HELO: helo,
  MAIL: mail,
  RCPT: rcpt,
  DATA: data,
  BDAT: bdat,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  VRFY: vrfy,
  HELP: help,
  STARTTLS: starttls,
  AUTH: auth,
};
