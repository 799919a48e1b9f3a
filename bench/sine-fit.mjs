// bench/sine-fit: least-squares fit of a tone, shared by bench/resampler.mjs and
// bench/bridge-load-report.mjs.

/**
 * Least-squares fit of a·sin + b·cos at `hz` over y[s0, s1) (samples at `rate` Hz).
 * @returns snr (dB: the fitted tone against everything else) and amp (the fitted amplitude).
 */
export function sineFit(y, rate, hz, s0, s1) {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    const s = Math.sin(w), c = Math.cos(w);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let sig = 0, err = 0;
  for (let i = s0; i < s1; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    const fit = a * Math.sin(w) + b * Math.cos(w);
    sig += fit * fit;
    err += (y[i] - fit) ** 2;
  }
  return { snr: 10 * Math.log10(sig / err), amp: Math.hypot(a, b) };
}
