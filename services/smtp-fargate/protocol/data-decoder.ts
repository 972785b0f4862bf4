// DATA content decoder (RFC 5321 §4.1.1.4, §4.5.2): removes dot-stuffing and finds the end of data.
// Smuggling defence (design brief §5; Postfix smtpd_forbid_bare_newline): only <CRLF>.<CRLF> ends
// DATA. A bare LF or bare CR (RFC 5321 §2.3.8 forbids both) never starts a line, so `<LF>.<LF>`,
// `<LF>.<CRLF>` and `<CR>.<CR>` are content, never an end and never a second message. In 'normalize'
// mode they are stored as CRLF; in 'reject' mode they are counted and the session refuses the message.

export type BareLineEndingMode = 'normalize' | 'reject';

export interface DecodedData {
  /** Unstuffed content, in order; slices of the input where possible. */
  readonly chunks: Buffer[];
  /** Input octets used; the rest belongs to the next command. */
  readonly consumed: number;
  readonly ended: boolean;
}

const enum State {
  LineStart,
  Dot, // a `.` at line start, held back
  DotCr, // `.` then CR at line start: the end if LF follows
  Text,
  Cr, // CR held back until we know whether LF follows
}

const CRLF = Buffer.from('\r\n');
const CR_ONLY = Buffer.from('\r');
const LF_ONLY = Buffer.from('\n');

export class DataDecoder {
  private state = State.LineStart;
  /** Bare LF or CR seen so far. */
  bareLineEndings = 0;

  constructor(private readonly mode: BareLineEndingMode) {}

  feed(input: Buffer): DecodedData {
    const chunks: Buffer[] = [];
    // Content is passed on as slices of `input`: a run grows over ordinary text and CRLFs and is
    // cut only where an octet is dropped (a stuffing dot, a held CR) or replaced (a bare ending).
    let runStart = 0;
    const flush = (end: number) => {
      if (end > runStart) chunks.push(input.subarray(runStart, end));
    };
    // Next CR and LF at or after i (-1: none left), found with indexOf rather than a loop over
    // every octet: a 10 KB message is ~120 lines, and only their ends need a look.
    let nextCr = -2;
    let nextLf = -2;
    let i = 0;
    while (i < input.length) {
      switch (this.state) {
        case State.LineStart:
          if (input[i] === 0x2e) {
            flush(i);
            runStart = i + 1;
            this.state = State.Dot;
            i++;
          } else {
            this.state = State.Text;
          }
          break;
        case State.Dot:
          if (input[i] === 0x0d) {
            runStart = i + 1;
            this.state = State.DotCr;
            i++;
          } else {
            this.state = State.Text; // RFC 5321 §4.5.2: the leading dot was stuffing
          }
          break;
        case State.DotCr:
          if (input[i] === 0x0a) return { chunks, consumed: i + 1, ended: true };
          chunks.push(this.bareEnding(CR_ONLY));
          runStart = i;
          this.state = State.Text;
          break;
        case State.Text: {
          if (nextCr !== -1 && nextCr < i) nextCr = input.indexOf(0x0d, i);
          if (nextLf !== -1 && nextLf < i) nextLf = input.indexOf(0x0a, i);
          if (nextLf !== -1 && (nextCr === -1 || nextLf < nextCr)) {
            flush(nextLf);
            chunks.push(this.bareEnding(LF_ONLY)); // RFC 5321 §2.3.8: no line starts after it
            runStart = i = nextLf + 1;
          } else if (nextCr === -1) {
            i = input.length;
          } else if (nextCr + 1 === input.length) {
            flush(nextCr); // hold the CR back until we know whether LF follows
            runStart = i = nextCr + 1;
            this.state = State.Cr;
          } else if (nextLf === nextCr + 1) {
            i = nextLf + 1; // CRLF: the run goes on, a line starts
            this.state = State.LineStart;
          } else {
            flush(nextCr);
            chunks.push(this.bareEnding(CR_ONLY));
            runStart = i = nextCr + 1;
          }
          break;
        }
        case State.Cr:
          if (input[i] === 0x0a) {
            chunks.push(CRLF);
            runStart = i + 1;
            this.state = State.LineStart;
            i++;
          } else {
            chunks.push(this.bareEnding(CR_ONLY));
            runStart = i;
            this.state = State.Text;
          }
          break;
      }
    }
    flush(input.length); // held-back bytes (dot, CR) lie before runStart
    return { chunks, consumed: input.length, ended: false };
  }

  private bareEnding(original: Buffer): Buffer {
    this.bareLineEndings++;
    return this.mode === 'normalize' ? CRLF : original;
  }
}
