/**
 * A real `redis-server` for tests, on a free loopback port, in a temp dir, without persistence
 * (`--save '' --appendonly no`). `.ci/run` installs the Debian package; tests that need it are
 * skipped with a reason when `redis-server` is not on PATH (see {@link hasRedisServer}).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when `redis-server` can be started. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A free loopback TCP port (bound then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A running test Redis; `stop()` then `start()` restarts it on the same port (an outage). */
export class TestRedis {
  port = 0;
  private dir = '';
  private proc: ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Start (first call picks the port and dir); resolves once it accepts connections. */
  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    if (!this.dir) this.dir = await mkdtemp(join(tmpdir(), 'voicectl-redis-'));
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      const onData = (b: Buffer): void => {
        out += b.toString();
        if (/Ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
    proc.stdout!.resume();
    proc.stderr!.resume();
    return this;
  }

  /**
   * Stop the server and wait for its exit: SIGKILL (an abrupt outage, data lost), or with `persist`
   * `SHUTDOWN SAVE` (the data is dumped in the temp dir and loaded again by the next `start()`).
   */
  async stop(o: { persist?: boolean } = {}): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    if (o.persist) {
      const sock = connect(this.port, '127.0.0.1');
      sock.on('error', () => {});
      sock.end('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    } else {
      proc.kill('SIGKILL');
    }
    await exited;
  }

  /** Stop and remove the temp dir. */
  async close(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
