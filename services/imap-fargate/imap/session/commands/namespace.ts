// NAMESPACE (RFC 2342): one personal namespace, no shared or other-users namespaces.
import { AUTHENTICATED, type Command } from '../command.js';
import { WIRE_DELIMITER } from '../mailbox-names.js';

export const namespace: Command = {
  states: AUTHENTICATED,
  async run({ session }) {
    session.io.write(`* NAMESPACE (("" ${WIRE_DELIMITER})) NIL NIL\r\n`);
    return { status: 'OK', text: 'Namespace completed' };
  },
};
