// Plain-language explanations of the enhanced status codes (RFC 3463) a sender is most likely to
// meet, for the human-readable first part of a DSN (RFC 3464 §2: "a human-readable explanation").

interface Explanation {
  readonly what: string;
  readonly whatToDo: string;
}

/** Keyed by `class.subject.detail`; lookups fall back to `*.subject.detail`, then to the class. */
const EXPLANATIONS: Readonly<Record<string, Explanation>> = {
  '5.1.1': {
    what: 'The address does not exist at the receiving system.',
    whatToDo: 'Check the spelling of the address, or ask the recipient for a working one.',
  },
  '5.1.2': { what: 'The domain of the address does not accept mail.', whatToDo: 'Check the part after the @ for typos.' },
  '5.1.6': {
    what: 'The recipient has moved and no longer receives mail at this address.',
    whatToDo: 'Write to the new address given in the diagnostic below, if any.',
  },
  '5.2.1': { what: 'The recipient mailbox is disabled and is not accepting messages.', whatToDo: 'Contact the recipient another way.' },
  '5.2.2': { what: "The recipient's mailbox is full.", whatToDo: 'Try again later, once they have made room, or send a smaller message.' },
  '5.3.4': {
    what: 'The message is larger than the receiving system accepts.',
    whatToDo: 'Send a smaller message, for example with a link instead of large attachments.',
  },
  '5.4.4': { what: 'The receiving system could not be found in the DNS.', whatToDo: 'Check the domain of the address.' },
  '5.4.7': { what: 'The message could not be delivered in time and was given up.', whatToDo: 'Try sending it again later.' },
  '5.7.1': {
    what: 'The receiving system refused the message because of its policy.',
    whatToDo: 'The diagnostic below names the reason; your mail administrator can help.',
  },
  '5.7.26': {
    what: "The message failed the sender domain's authentication policy (DMARC).",
    whatToDo: 'Ask your mail administrator to check SPF and DKIM for your domain.',
  },
  '4.2.2': { what: "The recipient's mailbox is full at the moment.", whatToDo: 'Nothing yet: delivery will be retried.' },
  '4.4.1': { what: 'The receiving system did not answer.', whatToDo: 'Nothing yet: delivery will be retried.' },
  '4.4.7': { what: 'Delivery is taking longer than usual.', whatToDo: 'Nothing yet: delivery will be retried until the time shown below.' },
  '2.0.0': { what: 'The message was delivered.', whatToDo: 'Nothing: this is the confirmation you asked for.' },
};

const BY_CLASS: Readonly<Record<string, Explanation>> = {
  '2': EXPLANATIONS['2.0.0']!,
  '4': { what: 'A temporary problem delayed delivery.', whatToDo: 'Nothing yet: delivery will be retried.' },
  '5': { what: 'The message could not be delivered.', whatToDo: 'The diagnostic below says why; your mail administrator can help.' },
};

/** Explains an RFC 3463 status such as `5.2.2` in a sentence for people. */
export function explainStatus(status: string): Explanation {
  const [statusClass = '5', subject, detail] = status.split('.');
  return EXPLANATIONS[status] ?? EXPLANATIONS[`5.${subject}.${detail}`] ?? BY_CLASS[statusClass] ?? BY_CLASS['5']!;
}
