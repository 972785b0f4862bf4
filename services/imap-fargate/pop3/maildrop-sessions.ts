// Caps the POP3 sessions one process holds open on one maildrop. Sessions do not lock the maildrop
// (each works on its own snapshot), but a client looping on logins should not pin a user's INBOX
// listing N times over; past the cap, login gets -ERR [IN-USE] (RFC 2449 §8.1.1). Per process: on
// AWS each task counts its own sessions, which is enough for a resource cap.

export class MaildropSessions {
  private readonly openByUser = new Map<string, number>();

  constructor(private readonly maxSessionsPerUser: number) {}

  /** Claims a slot; returns the release function, or null when the user is at the cap. */
  acquire(userId: string): (() => void) | null {
    const open = this.openByUser.get(userId) ?? 0;
    if (open >= this.maxSessionsPerUser) return null;
    this.openByUser.set(userId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.openByUser.get(userId) ?? 1) - 1;
      if (remaining === 0) this.openByUser.delete(userId);
      else this.openByUser.set(userId, remaining);
    };
  }
}
