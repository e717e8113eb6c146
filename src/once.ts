// Per-run caching of lookups: concurrent callers share one promise, so many apps asking the same
// thing cost one request.

/**
 * The cached promise, or a new one from `load`. Failures stay cached too: within one run the
 * registry or GitHub would answer the same, and the clients have already retried.
 */
export function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let promise = cache.get(key);
  if (!promise) {
    promise = load();
    cache.set(key, promise);
  }
  return promise;
}
