/**
 * Node's Buffer pool, sized for a relay. `ws` allocates a frame-sized Buffer for each masked
 * message toward the model (1.3 KB for 20 ms at 24 kHz in base64 JSON) and a small header for
 * each message toward the caller, and wherever the bridge converts (resampled and Asterisk
 * paths) each message it sends is a new Buffer too: thousands of allocations a second at 200
 * calls. (Where it converts nothing, the bridge builds its messages inside the received ones:
 * payload.ts.) `Buffer.allocUnsafe` carves sizes under half of `Buffer.poolSize` out of
 * a shared pool and starts a new pool (a new ArrayBuffer, which the garbage collector tracks
 * as external memory) when it runs out; at Node's default 8 KB that is every sixth message,
 * and the pool's churn, not the copy, is most of the cost. Measured on Node 20 (2-core VM,
 * `Buffer.allocUnsafe(1330)` in a loop, medians of 21 rounds): 8 KB pool 760–1046 ns,
 * 32 KB 266 ns, 128 KB 104 ns, 256 KB 83 ns per allocation.
 *
 * The cost in memory: a Buffer that outlives its neighbours (a message queued behind a slow
 * socket) keeps its whole pool alive, as with the default pool; with the bridge's bounded
 * queues that is at most a few pools. The setting is process-wide and only ever raised.
 */

/** Buffer pool size for the relay (bytes). */
export const RELAY_BUFFER_POOL_BYTES = 128 * 1024;

/**
 * Raise `Buffer.poolSize` to {@link RELAY_BUFFER_POOL_BYTES} for this process (never lowers a
 * larger value set by the host). Called once when the bridge starts.
 * @returns the pool size now in effect (bytes).
 */
export function enlargeBufferPool(): number {
  if (Buffer.poolSize < RELAY_BUFFER_POOL_BYTES) Buffer.poolSize = RELAY_BUFFER_POOL_BYTES;
  return Buffer.poolSize;
}
