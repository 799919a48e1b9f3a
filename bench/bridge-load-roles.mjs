// bench/bridge-load-roles: the child processes of bench/bridge-load.mjs, each started as
// `node bench/bridge-load.mjs --role <fake|floor|bridge|bridge+m>`: the fake Azure OpenAI Realtime
// model, the bare forwarder (the floor) and the bridge under test (from dist/). Each answers the
// load generator over IPC: ready (ports), mark (start of the measured window), stats (CPU, RSS,
// the bridge's counters), calibrate, exit.
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { MEDIA_TOKEN, floorAcsEcho, floorAnswer, floorTwilioEcho } from './bridge-load-paths.mjs';

/** A module of the build under test: ../dist/, or BENCH_DIST (another build's dist/, for A/B runs). */
const distUrl = (p) => (process.env.BENCH_DIST ? new URL(p, `file://${process.env.BENCH_DIST.replace(/\/?$/, '/')}`) : new URL(`../dist/${p}`, import.meta.url)).href;
export const API_KEY = 'bench-key';

// ---------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------

const APPEND_HEAD = Buffer.from('{"type":"input_audio_buffer.append"');
const AUDIO_KEY = Buffer.from('"audio":"');

/**
 * The fake Realtime model: echoes appends as deltas; echoes the floor's caller messages in the
 * caller's shape. It shares a core with the load generator, so the bridge's appends (as the
 * bridge writes them) are answered from the bytes, without parsing or decoding the text.
 */
export async function roleFake() {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
  wss.on('connection', (ws, req) => {
    if (req.headers['api-key'] !== API_KEY) return ws.close(1008, 'no api-key');
    let responseId;
    let n = 0;
    let events = 0;
    const floorState = {};
    /** A response.output_audio.delta carrying `audio` (a base64 string, or its bytes). */
    const answerAppend = (audio) => {
      if (!responseId) {
        responseId = `resp_${++n}`;
        ws.send(JSON.stringify({ type: 'response.created', response: { id: responseId, status: 'in_progress' } }));
      }
      const head = `{"type":"response.output_audio.delta","event_id":"event_${++events}","response_id":"${responseId}","item_id":"item_1","output_index":0,"content_index":0,"delta":"`;
      if (typeof audio === 'string') return ws.send(`${head}${audio}"}`);
      ws.send(Buffer.concat([Buffer.from(head), audio, DELTA_TAIL]), { binary: false });
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.send(data, { binary: true }); // Asterisk / AudioSocket through the floor
      if (data[0] !== 123) return; // Asterisk control text through the floor (MEDIA_START): no answer
      if (data.subarray(0, APPEND_HEAD.length).equals(APPEND_HEAD)) {
        const at = data.indexOf(AUDIO_KEY);
        const end = at > 0 ? data.indexOf(34, at + AUDIO_KEY.length) : -1;
        if (end > 0) return answerAppend(data.subarray(at + AUDIO_KEY.length, end));
      }
      const echo = floorAcsEcho(data);
      if (echo) return ws.send(echo, { binary: false });
      const twilio = floorTwilioEcho(data, floorState);
      if (twilio) {
        for (const m of twilio) ws.send(m, { binary: false });
        return;
      }
      const ev = JSON.parse(data.toString());
      if (ev.type === 'session.update') return ws.send(JSON.stringify({ type: 'session.updated', session: ev.session }));
      if (ev.type === 'input_audio_buffer.append') return answerAppend(ev.audio);
      for (const m of floorAnswer(ev, floorState) ?? []) ws.send(m);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  let cpu = process.cpuUsage();
  process.on('disconnect', () => process.exit(0)); // the load generator is gone: so is the run
  process.on('message', (m) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'mark') cpu = process.cpuUsage();
    if (m.cmd === 'stats') {
      const d = process.cpuUsage(cpu);
      process.send({ stats: true, cpuMicros: d.user + d.system });
    }
  });
  process.send({ ready: true, port: server.address().port });
}
const DELTA_TAIL = Buffer.from('"}');

const upstreamSocket = (fakePort) =>
  new WebSocket(`ws://127.0.0.1:${fakePort}/openai/v1/realtime?model=bench`, { headers: { 'api-key': API_KEY }, perMessageDeflate: false });

/** The floor: bare forwarders, one upstream socket per call, bytes passed through unparsed. */
async function roleFloor(fakePort) {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 2 * 1024 * 1024, handleProtocols: (offered) => (offered.has('media') ? 'media' : false) });
  wss.on('connection', (ws) => {
    const up = upstreamSocket(fakePort);
    const pending = [];
    up.on('open', () => {
      for (const [m, isBinary] of pending.splice(0)) up.send(m, { binary: isBinary });
    });
    up.on('message', (data, isBinary) => ws.readyState === 1 && ws.send(data, { binary: isBinary }));
    ws.on('message', (data, isBinary) => (up.readyState === 1 ? up.send(data, { binary: isBinary }) : pending.push([data, isBinary])));
    ws.on('close', () => up.close());
    up.on('error', () => ws.close(1011));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // AudioSocket floor: each TCP chunk forwarded as one binary message, each echo written back.
  const tcp = createTcpServer((sock) => {
    sock.setNoDelay(true);
    const up = upstreamSocket(fakePort);
    const pending = [];
    up.on('open', () => {
      for (const m of pending.splice(0)) up.send(m, { binary: true });
    });
    up.on('message', (data) => sock.writable && sock.write(data));
    sock.on('data', (chunk) => (up.readyState === 1 ? up.send(chunk, { binary: true }) : pending.push(chunk)));
    sock.on('error', () => undefined);
    sock.on('close', () => up.close());
    up.on('error', () => sock.destroy());
  });
  await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
  return { ports: { ws: server.address().port, tcp: tcp.address().port }, stats: () => ({}) };
}

/** The bridge under test, from dist/, with every leg; `withMetrics` mounts GET /metrics as the service does. */
async function roleBridge(fakePort, withMetrics) {
  const { startBridge } = await import(distUrl('bridge/server.js'));
  const { twilioWsRoute } = await import(distUrl('bridge/legs/twilio-route.js'));
  let handle;
  const metrics = withMetrics ? (await import(distUrl('bridge/metrics.js'))).createBridgeMetrics({ stats: () => handle?.stats() }) : undefined;
  handle = await startBridge({
    port: 0,
    host: '127.0.0.1',
    mediaPath: '/ws/media',
    mediaToken: MEDIA_TOKEN,
    audioSocket: { port: 0, host: '127.0.0.1' },
    maxCalls: 100000,
    upstream: { kind: 'aoai', endpoint: `http://127.0.0.1:${fakePort}`, deployment: 'bench', protocol: 'ga', apiKey: API_KEY, session: {} },
    // Twilio signature and stream-token checks stubbed: the benchmark has no Twilio account.
    legs: [twilioWsRoute({ path: '/ws/twilio', checks: { checkUpgrade: () => ({ ok: true }), verifyStart: () => ({ ok: true }) }, maxQueuedBytes: 512 * 1024 })],
    ...(metrics ? { routes: [metrics.route] } : {}),
    onEvent: metrics ? (type, data) => metrics.observe(type, data) : () => {},
  });
  return { ports: { ws: handle.port, tcp: handle.audioSocketPort }, stats: () => handle.stats() };
}

/**
 * CPU time (ms) of a fixed integer loop: how fast this core runs right now. On this kind of
 * virtual machine the same work takes 2–3× longer at times (every function in a profile slows
 * down alike, floor and bridge both), so each round reports it before and after its load.
 */
function calibrate() {
  const t = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < 4e6; i++) x = (x + i * 7) % 1000003;
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000 + (x < 0 ? 1 : 0);
}

export async function roleServer(kind, fakePort) {
  const sut = kind === 'floor' ? await roleFloor(fakePort) : await roleBridge(fakePort, kind === 'bridge+m');
  // --pool-ab: the bridge with Node's default Buffer pool, i.e. without the bridge's enlargeBufferPool()
  if (kind === 'bridge8k') Buffer.poolSize = 8 * 1024;
  calibrate(); // first run compiles the loop
  const calBefore = calibrate();
  let cpu = process.cpuUsage();
  process.on('disconnect', () => process.exit(0)); // the load generator is gone: so is the run
  process.on('message', (m) => {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'calibrate') process.send({ calibrated: true, before: calBefore, after: calibrate() });
    if (m.cmd === 'mark') cpu = process.cpuUsage();
    if (m.cmd === 'stats') {
      const d = process.cpuUsage(cpu);
      process.send({ stats: true, cpuMicros: d.user + d.system, sysMicros: d.system, rss: process.memoryUsage().rss, sut: sut.stats() });
    }
  });
  process.send({ ready: true, ports: sut.ports, rss: process.memoryUsage().rss });
}

