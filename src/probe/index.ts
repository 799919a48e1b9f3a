/**
 * WebSocket probing, the domain behind `voicectl ws-probe` (and the public-URL check of
 * `voicectl tunnel up`). No commander, no printing: functions return reports.
 */
export { probeWebSocket, DEFAULT_HOLD_MS, DEFAULT_TIMEOUT_MS } from './probe.js';
export { normalizeProbeUrl } from './url.js';
export { PROBE_VERDICTS } from './types.js';
export type {
  CertificateInfo,
  DnsPhase,
  OpenPhase,
  ProbeConnect,
  ProbeLookup,
  ProbeOptions,
  ProbeReport,
  ProbeVerdict,
  TcpPhase,
  TlsPhase,
  UpgradePhase,
} from './types.js';
