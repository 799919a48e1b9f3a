/**
 * The AudioSocket TCP listener: admits each connection as an Asterisk call in the bridge's
 * registry and paces every leg's output from one shared timer.
 *
 * AudioSocket has no authentication: listen on loopback (the default) or a private address
 * Asterisk alone can reach.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { BridgeCalls } from '../bridge-calls.js';
import { KIND, audioSocketMessage } from './audiosocket-frames.js';
import { AudioSocketLeg, FRAME_MS } from './audiosocket.js';

/** Options of {@link startAudioSocketListener}. */
export interface AudioSocketListenerOptions {
  port: number;
  host: string;
  registry: BridgeCalls;
  /** Cap on bytes unsent on one socket before frames are dropped. */
  maxQueuedBytes?: number;
  onEvent(type: string, data: Record<string, unknown>): void;
}

/** A running listener. */
export interface AudioSocketListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Listen for AudioSocket connections.
 * @throws the listen error (EADDRINUSE, EACCES) as Node reports it.
 */
export async function startAudioSocketListener(o: AudioSocketListenerOptions): Promise<AudioSocketListener> {
  const legs = new Set<AudioSocketLeg>();
  const sockets = new Set<Socket>();
  // One timer for every call: ticks at half a frame so each leg's 20 ms deadline is met within ~10 ms.
  const pacer = setInterval(() => {
    const now = Date.now();
    for (const leg of legs) leg.tick(now);
  }, FRAME_MS / 2);
  pacer.unref();
  const server: Server = createServer((socket) => {
    const remote = socket.remoteAddress;
    const core = o.registry.admit('asterisk', remote);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (typeof core === 'string') {
      // read (and discard) what Asterisk sent, so its close is seen and the socket goes away
      socket.on('error', () => undefined).resume();
      socket.end(audioSocketMessage(KIND.hangup));
      return;
    }
    const leg = new AudioSocketLeg(socket, core, o.maxQueuedBytes !== undefined ? { maxWritableBytes: o.maxQueuedBytes } : {});
    legs.add(leg);
    socket.on('close', () => legs.delete(leg));
    core.attach(leg);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : o.port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(pacer);
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy(); // calls have been drained by now
      }),
  };
}
