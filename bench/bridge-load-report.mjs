// bench/bridge-load-report: what bench/bridge-load.mjs prints besides the matrix: the resampler's
// tone SNR (from dist/) and the performance targets checked on a run's medians.
import { sineFit } from './sine-fit.mjs';

const distUrl = (p) => new URL(`../dist/${p}`, import.meta.url).href;

// ---------------------------------------------------------------------------------------
// Resampler SNR: a 1 kHz tone at -6 dBFS through the polyphase FIR, against the ideal tone (sine fit)
// ---------------------------------------------------------------------------------------

export async function toneSnr(fromHz, toHz) {
  const { createResampler } = await import(distUrl('audio/resampler.js'));
  const rs = createResampler(fromHz, toHz);
  const amp = 0.5 * 32767;
  const n = fromHz / 50;
  const out = [];
  for (let f = 0; f < 100; f++) {
    const b = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * 1000 * (f * n + i)) / fromHz)), i * 2);
    out.push(rs.process(b));
  }
  const pcm = Buffer.concat(out);
  const y = [];
  for (let i = 0; i < pcm.length; i += 2) y.push(pcm.readInt16LE(i));
  // least-squares fit at exactly 1 kHz over the steady part (skip 100 ms, end 20 ms)
  const fit = sineFit(y, toHz, 1000, Math.round(toHz * 0.1), y.length - Math.round(toHz * 0.02));
  return { snr: fit.snr, gain: fit.amp / amp, delayMs: rs.delayMs };
}

/** The targets, checked on the medians of this run. */
export function printTargets(summary) {
  const find = (path, calls) => summary.find((s) => s.path === path && s.calls === calls);
  const verdict = (ok) => (ok ? 'holds' : 'MISSED');
  console.log('\ntargets:');
  for (const calls of [200, 400]) {
    const s = find('acs24', calls);
    if (!s) continue;
    const cpu = s.bridge.cpuPct / s.floor.cpuPct, p99 = s.bridge.p99 / s.floor.p99;
    console.log(`  ACS 24 kHz ${calls} calls: CPU ${cpu.toFixed(2)}x floor (≤ 1.10) ${verdict(cpu <= 1.1)}; p99 ${p99.toFixed(2)}x floor (≤ 1.2) ${verdict(p99 <= 1.2)}; lost ${s.bridge.lost} ${verdict(s.bridge.lost === 0)}`);
  }
  const s16 = find('acs16', 200);
  const s24 = find('acs24', 200);
  if (s16) {
    const perCall = s24 ? s16.bridge.cpuPct / s24.bridge.cpuPct : NaN;
    console.log(
      `  ACS 16 kHz 200 calls: lost ${s16.bridge.lost} ${verdict(s16.bridge.lost === 0)}; p99 ${s16.bridge.p99.toFixed(2)} ms (≤ 5) ${verdict(s16.bridge.p99 <= 5)}; ` +
        `CPU per call ${perCall.toFixed(2)}x the 24 kHz path's (≤ 1.3) ${s24 ? verdict(perCall <= 1.3) : '(acs24 200 not run)'}; RSS per call ${s16.bridge.rssPerCallKB.toFixed(0)} KB (≤ 300) ${verdict(s16.bridge.rssPerCallKB <= 300)}`,
    );
  }
  for (const path of ['ast-ulaw', 'twilio']) {
    for (const s of summary.filter((x) => x.path === path)) {
      const cpu = s.bridge.cpuPct / s.floor.cpuPct;
      console.log(`  G.711 passthrough ${path} ${s.calls} calls: CPU ${cpu.toFixed(2)}x floor (≤ 1.10) ${verdict(cpu <= 1.1)}`);
    }
  }
  for (const s of summary.filter((x) => x['bridge+m'])) {
    const extra = (s['bridge+m'].cpuPct / s.bridge.cpuPct - 1) * 100;
    console.log(`  metrics ${s.path} ${s.calls} calls: CPU +${extra.toFixed(1)} % with /metrics scraped 1/s (≤ 3 %) ${verdict(extra <= 3)}`);
  }
}

