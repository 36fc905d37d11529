/** How many of something each user holds on this instance, bounded: a place is taken before it is used and given back once. */
export class PerUserCount {
  private readonly counts = new Map<number, number>();

  /** Takes a place for `userId`; false (nothing taken) when the user holds `max` already. */
  take(userId: number, max: number): boolean {
    const held = this.counts.get(userId) ?? 0;
    if (held >= max) return false;
    this.counts.set(userId, held + 1);
    return true;
  }

  give(userId: number): void {
    const left = (this.counts.get(userId) ?? 1) - 1;
    if (left > 0) this.counts.set(userId, left);
    else this.counts.delete(userId);
  }
}
