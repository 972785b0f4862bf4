// The verb table (RFC 3501 §6, RFC 9051 §6 and the extensions'): one handler per verb (one file each under commands/), with the states it is allowed in.
import type { Command } from './command.js';
import { append } from './commands/append.js';
import { authenticate } from './commands/authenticate.js';
import { capability } from './commands/capability.js';
import { close, unselect } from './commands/close.js';
import { copy, move } from './commands/copy.js';
import { create } from './commands/create.js';
import { deleteMailbox } from './commands/delete.js';
import { enable } from './commands/enable.js';
import { expunge } from './commands/expunge.js';
import { fetch } from './commands/fetch.js';
import { id } from './commands/id.js';
import { idle } from './commands/idle.js';
import { list, lsub } from './commands/list.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { namespace } from './commands/namespace.js';
import { noop } from './commands/noop.js';
import { getQuota, getQuotaRoot, setQuota } from './commands/quota.js';
import { rename } from './commands/rename.js';
import { search } from './commands/search.js';
import { examine, select } from './commands/select.js';
import { startTls } from './commands/starttls.js';
import { status } from './commands/status.js';
import { store } from './commands/store.js';
import { subscribe, unsubscribe } from './commands/subscribe.js';
import { uid } from './commands/uid.js';

export const COMMANDS = {
  CAPABILITY: capability,
  NOOP: noop,
  CHECK: noop,
  LOGOUT: logout,
  STARTTLS: startTls,
  LOGIN: login,
  AUTHENTICATE: authenticate,
  ENABLE: enable,
  ID: id,
  NAMESPACE: namespace,
  SELECT: select,
  EXAMINE: examine,
  CREATE: create,
  DELETE: deleteMailbox,
  RENAME: rename,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: unsubscribe,
  LIST: list,
  LSUB: lsub,
  STATUS: status,
  APPEND: append,
  CLOSE: close,
  UNSELECT: unselect,
  EXPUNGE: expunge,
  SEARCH: search,
  FETCH: fetch,
  STORE: store,
  COPY: copy,
  MOVE: move,
  UID: uid,
  IDLE: idle,
  GETQUOTA: getQuota,
  GETQUOTAROOT: getQuotaRoot,
  SETQUOTA: setQuota,
} satisfies Record<string, Command>;

export type Verb = keyof typeof COMMANDS;
