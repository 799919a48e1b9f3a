/**
 * The bridge's defaults that live outside the code too: the Dockerfile and the Kubernetes
 * manifests (deploy/kubernetes/) use the same port, paths and drain timeout, and a test reads both
 * so they cannot drift apart.
 */

/** TCP port of the HTTP + WebSocket server (`--listen`). */
export const DEFAULT_BRIDGE_PORT = 8000;
/** Path of the media WebSocket (`--media-path`). */
export const DEFAULT_MEDIA_PATH = '/ws/media';
/** Concurrent calls per bridge (`--max-calls`). */
export const DEFAULT_MAX_CALLS = 200;
/** On SIGTERM, how long active calls may run on before the rest are closed (seconds, `--drain-timeout`). */
export const DEFAULT_DRAIN_TIMEOUT_S = 30;
/** Liveness: 200 while the process serves HTTP. */
export const HEALTH_PATH = '/api/health';
/** Readiness: 200 while the bridge accepts new calls, 503 while draining or full. */
export const READY_PATH = '/api/ready';
/** Prometheus scrape path. */
export const METRICS_PATH = '/metrics';
