/**
 * Which Asterisk modules and versions each media path of voicectl needs, checked from
 * `GET /asterisk/modules` (`[{name:"chan_websocket.so", description, use_count, status:"Running",
 * support_level}]`, Asterisk 22 `res/ari/resource_asterisk.c`) and the version of
 * `GET /asterisk/info`.
 *
 * Paths and their facts (Asterisk source, module `.requires` and release tags):
 * - `websocket`: chan_websocket (dialplan `Dial(WebSocket/…)`, and `voicectl bridge --ari`'s
 *   externalMedia), which requires res_websocket_client and res_http_websocket. First released
 *   in 20.16.0, 21.11.0, 22.6.0 (and 23.x); the JSON control format in 20.18.0, 22.8.0, 23.2.0.
 * - `audiosocket`: res_audiosocket plus chan_audiosocket (`Dial(AudioSocket/…)`, ARI
 *   externalMedia) or app_audiosocket (the `AudioSocket()` app). Since 18.0.0; audio above
 *   8 kHz (slin16, slin24 kinds) since 20.17.0, 21.12.0, 22.7.0, 23.1.0.
 */
import type { AriModule } from './types.js';

/** A media path voicectl can take into Asterisk. */
export type MediaPathName = 'websocket' | 'audiosocket';

/** The verdict on one path. */
export interface MediaPathReport {
  path: MediaPathName;
  /** Modules loaded and version new enough (an unknown version does not fail). */
  ok: boolean;
  /** Module files needed but not running, e.g. `chan_websocket.so`. */
  missing: string[];
  /** False when the version is known and too old; undefined when it cannot be parsed. */
  versionOk: boolean | undefined;
  /** The minimum versions, e.g. `20.16 / 21.11 / 22.6 / 23.0`. */
  minimum: string;
  /** Things worth knowing that do not fail the path (no JSON control format, 8 kHz only). */
  notes: string[];
  /** Asterisk CLI commands that fix what is missing. */
  fix: string[];
}

/** Minimum `[major, minor]` per release branch; majors above the last entry are all fine. */
export type Minimum = Array<[number, number]>;

export const WEBSOCKET_MIN: Minimum = [[20, 16], [21, 11], [22, 6], [23, 0]];
const WEBSOCKET_JSON_MIN: Minimum = [[20, 18], [22, 8], [23, 2]];
const AUDIOSOCKET_MIN: Minimum = [[18, 0]];
export const AUDIOSOCKET_WIDEBAND_MIN: Minimum = [[20, 17], [21, 12], [22, 7], [23, 1]];

/** `22.10.1` → `[22, 10]`; `certified-20.7-cert5` → `[20, 7]`; `GIT-master-…` → undefined. */
export function parseAsteriskVersion(version: string | undefined): [number, number] | undefined {
  const m = /(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * True when `version` reaches the minimum of its release branch. A major below the first
 * entry, or a branch without an entry (21 for the JSON control format), is false; a major
 * above the last entry is true. Undefined when the version cannot be parsed.
 */
export function meetsMinimum(version: string | undefined, min: Minimum): boolean | undefined {
  const v = parseAsteriskVersion(version);
  if (!v) return undefined;
  const last = min[min.length - 1]!;
  if (v[0] > last[0]) return true;
  const branch = min.find(([major]) => major === v[0]);
  if (!branch) return false;
  return v[1] >= branch[1];
}

const show = (min: Minimum): string => min.map(([a, b]) => `${a}.${b}`).join(' / ');
const bare = (name: string): string => name.replace(/\.so$/, '');

/**
 * Assess both paths from the loaded modules and the version.
 * @param modules the answer of `GET /asterisk/modules` (only `Running` ones count).
 */
export function assessMediaPaths(modules: readonly AriModule[], version: string | undefined): MediaPathReport[] {
  const running = new Set(modules.filter((m) => m.status === 'Running').map((m) => bare(m.name)));
  const need = (names: string[]): string[] => names.filter((n) => !running.has(n)).map((n) => `${n}.so`);
  const load = (files: string[]): string[] => files.map((f) => `asterisk -rx "module load ${f}"`);

  const wsMissing = need(['res_http_websocket', 'res_websocket_client', 'chan_websocket']);
  const wsVersion = meetsMinimum(version, WEBSOCKET_MIN);
  const wsNotes: string[] = [];
  if (wsVersion && meetsMinimum(version, WEBSOCKET_JSON_MIN) === false) {
    wsNotes.push(`chan_websocket speaks only the plain-text control format before ${show(WEBSOCKET_JSON_MIN)} (voicectl reads both; the JSON MEDIA_START with channel variables needs ${show(WEBSOCKET_JSON_MIN)})`);
  }

  const asBase = need(['res_audiosocket']);
  const asDrivers = ['chan_audiosocket', 'app_audiosocket'].filter((n) => !running.has(n));
  const asMissing = [...asBase, ...(asDrivers.length === 2 ? ['chan_audiosocket.so'] : [])];
  const asVersion = meetsMinimum(version, AUDIOSOCKET_MIN);
  const asNotes: string[] = [];
  if (asDrivers.length === 1) {
    asNotes.push(asDrivers[0] === 'chan_audiosocket' ? 'chan_audiosocket is not loaded: only the AudioSocket() app works (no Dial(AudioSocket/…), no ARI externalMedia)' : 'app_audiosocket is not loaded: the AudioSocket() dialplan app is unavailable (Dial(AudioSocket/…) works)');
  }
  if (asVersion && meetsMinimum(version, AUDIOSOCKET_WIDEBAND_MIN) === false) {
    asNotes.push(`AudioSocket carries only 8 kHz slin before ${show(AUDIOSOCKET_WIDEBAND_MIN)}: use the AudioSocket() app or c(slin)`);
  }

  const report = (path: MediaPathName, missing: string[], versionOk: boolean | undefined, min: Minimum, notes: string[]): MediaPathReport => ({
    path,
    ok: missing.length === 0 && versionOk !== false,
    missing,
    versionOk,
    minimum: show(min),
    notes,
    fix: versionOk === false ? [`upgrade Asterisk to ${show(min)} or later`] : load(missing),
  });
  return [
    report('websocket', wsMissing, wsVersion, WEBSOCKET_MIN, wsNotes),
    report('audiosocket', asMissing, asVersion, AUDIOSOCKET_MIN, asNotes),
  ];
}

/** One line for a path: `chan_websocket: ready` or what is missing and the fix. */
export function describeMediaPath(r: MediaPathReport, version: string | undefined): string {
  const name = r.path === 'websocket' ? 'chan_websocket' : 'AudioSocket';
  if (r.ok) return `${name} ready${r.versionOk === undefined ? ` (version ${version ?? '?'} not recognised; needs ${r.minimum})` : ''}`;
  const why = r.versionOk === false ? `Asterisk ${version} is older than ${r.minimum}` : `${r.missing.join(', ')} not loaded`;
  return `${name} path unavailable: ${why}; fix: ${r.fix.join('; ')}`;
}

/** The `modules` step of `voicectl ari check`: its one-line detail, warnings, and a failure for a path the user asked for. */
export interface MediaPathsStep {
  paths?: MediaPathReport[];
  warnings: string[];
  detail: string;
  failure?: { message: string; hint: string };
}

/**
 * Judge the paths for `ari check`: a path that is not ready is a warning, or a failure when it
 * is in `wanted`; modules that could not be listed are a warning.
 * @param modules the `GET /asterisk/modules` answer, or the error it failed with.
 */
export function mediaPathsStep(modules: readonly AriModule[] | Error, version: string | undefined, wanted: readonly MediaPathName[] = []): MediaPathsStep {
  if (modules instanceof Error) {
    return { warnings: [`Could not list the Asterisk modules (${modules.message}): the chan_websocket and AudioSocket paths were not checked.`], detail: 'modules not listed (see warnings)' };
  }
  const paths = assessMediaPaths(modules, version);
  const warnings: string[] = [];
  for (const r of paths) {
    warnings.push(...r.notes);
    if (!r.ok && !wanted.includes(r.path)) warnings.push(describeMediaPath(r, version));
  }
  const detail = paths.map((r) => describeMediaPath(r, version).replace(/; fix: .*/, '')).join('; ');
  const failed = paths.filter((r) => !r.ok && wanted.includes(r.path));
  if (failed.length === 0) return { paths, warnings, detail };
  return {
    paths,
    warnings,
    detail,
    failure: { message: failed.map((r) => describeMediaPath(r, version)).join('; '), hint: failed.flatMap((r) => r.fix).join('; ') },
  };
}
