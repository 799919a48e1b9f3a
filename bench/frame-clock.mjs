// bench/frame-clock: the load generator's clock for the bridge benchmarks (bench/bridge-load.mjs,
// bench/bridge-paired.mjs): every simulated call sends a frame each period on an absolute
// schedule, the calls' phases spread evenly over the period.
//
// Why not a setInterval per call: Node reschedules a repeating timer from the time its callback
// ran, so when one pass of the timer list runs late, every call it served is due again at the
// same moment: under load the calls' phases collapse into bursts of many frames at once, and the
// forwarder under test queues them (tail latency that comes from the generator, not from what is
// measured). Real calls each run on their own clock and stay spread out.

/**
 * Start sending: `send(i)` for source i in 0..count-1 at t0 + i·periodMs/count + k·periodMs.
 * After a stall of more than a period the schedule moves forward (the missed frames are
 * skipped, the phases kept), so a slow generator does not burst a backlog.
 * @returns stop(): no further sends.
 */
export function startFrameClock(count, periodMs, send) {
  const step = periodMs / count;
  let base = performance.now();
  let i = 0;
  let timer;
  let stopped = false;
  const due = () => base + i * step;
  const pump = () => {
    if (stopped) return;
    const now = performance.now();
    if (now - due() > periodMs) base += Math.floor((now - due()) / periodMs) * periodMs;
    while (due() <= now) {
      send(i);
      if (++i === count) {
        i = 0;
        base += periodMs;
      }
    }
    timer = setTimeout(pump, Math.max(0, due() - performance.now()));
  };
  pump();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
