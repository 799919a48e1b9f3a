/**
 * The echo upstream: the caller's audio goes straight back to the caller, unchanged and
 * at the caller's own sample rate. It proves the phone ↔ tunnel ↔ bridge path without AI
 * credentials or cost; whatever the leg's format, nothing is converted. The bridge's default when no Azure OpenAI endpoint is configured.
 */
import type { Upstream, UpstreamCounters, UpstreamFactory } from './upstream.js';

/** An {@link UpstreamFactory} for echo calls. */
export const echoUpstream: UpstreamFactory = ({ sink }) => {
  let closed = false;
  const counters: UpstreamCounters = { reconnects: 0, dropped: 0, lateDeltasDropped: 0, cancels: 0, invalidDeltas: 0 };
  const upstream: Upstream = {
    passthrough: true,
    send(b64) {
      if (closed) return false;
      sink.audio(b64);
      return true;
    },
    counters: () => ({ ...counters }),
    close() {
      closed = true;
    },
  };
  return upstream;
};
