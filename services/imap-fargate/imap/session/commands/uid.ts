// UID prefix (RFC 3501 §6.4.8, UID EXPUNGE RFC 4315, UID MOVE RFC 6851): the same verbs over UIDs.
import { SELECTED, type Command } from '../command.js';
import { bad } from '../replies.js';

const UID_VERBS = new Set(['FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE', 'EXPUNGE']);

export const uid: Command = {
  states: SELECTED,
  async run({ args, dispatch }) {
    const [verbToken, ...rest] = args;
    const verb = verbToken?.kind === 'atom' ? verbToken.value.toUpperCase() : '';
    if (!UID_VERBS.has(verb)) throw bad('UID takes FETCH, SEARCH, STORE, COPY, MOVE or EXPUNGE');
    await dispatch(verb, rest);
    return null;
  },
};
