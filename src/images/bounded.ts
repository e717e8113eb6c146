// Concurrent registry lookups that stop when their answer is decided. The first failure starts no
// new work, and the calls in flight are awaited before it is thrown: nothing keeps fetching after
// the run has moved on, and every request sent is counted by the time the run reports.

export async function eachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>
): Promise<void> {
  const pending = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure) {
      const next = pending.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure) throw failure.error;
}
