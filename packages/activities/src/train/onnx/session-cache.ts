/**
 * ONNX Runtime sessions, cached by the digest of the `.onnx` bytes: loading the same model again (another version
 * with the same ONNX file, a restart of a deployment, the smoke check then the deploy) reuses the session instead of
 * parsing and optimising the graph again. Bounded: the least recently used session leaves the cache when it is full
 * (a predictor that holds it keeps using it; it is freed with its last holder).
 */
import { InferenceSession } from 'onnxruntime-node';

/**
 * Intra-op threads per session: 1. One worker process holds several sessions at once (versions side by side, a
 * shadow, the held-out evaluation) next to Node's own threads on a few cores; ONNX Runtime's default (a thread per
 * core for every session) oversubscribes the CPU and raises tail latency, and the small tabular graphs Slipway
 * serves (trees, linear models over a few dozen inputs) gain little from parallelism within one operator.
 * Throughput comes from batching rows instead.
 */
export const ONNX_INTRA_OP_THREADS = 1;

/** At most this many sessions stay cached. */
export const ONNX_SESSION_CACHE_SIZE = 16;

const sessions = new Map<string, Promise<InferenceSession>>();

/** The session options Slipway creates every session with. */
export const ONNX_SESSION_OPTIONS: InferenceSession.SessionOptions = Object.freeze({
  intraOpNumThreads: ONNX_INTRA_OP_THREADS,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  executionProviders: ['cpu'],
});

/**
 * The session for the model whose bytes have `digest`: the cached one, or one created from `bytes()` (called only
 * on a miss). A failed creation is not cached, so a later load tries again.
 */
export function onnxSession(digest: string, bytes: () => Promise<Uint8Array>): Promise<InferenceSession> {
  const cached = sessions.get(digest);
  if (cached !== undefined) {
    sessions.delete(digest);
    sessions.set(digest, cached); // most recently used last
    return cached;
  }
  const created = bytes().then((data) => InferenceSession.create(data, { ...ONNX_SESSION_OPTIONS }));
  sessions.set(digest, created);
  void created.catch(() => {
    if (sessions.get(digest) === created) sessions.delete(digest);
  });
  while (sessions.size > ONNX_SESSION_CACHE_SIZE) {
    const oldest = sessions.keys().next().value as string;
    sessions.delete(oldest);
  }
  return created;
}

/** How many sessions are cached (for tests and diagnostics). */
export function cachedOnnxSessions(): number {
  return sessions.size;
}
