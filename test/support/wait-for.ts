/** Polls `check` until it answers true (a failing check counts as false), within `withinMs`. */
export async function waitFor(check: () => Promise<boolean>, withinMs = 20_000, everyMs = 200): Promise<void> {
  const until = Date.now() + withinMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
