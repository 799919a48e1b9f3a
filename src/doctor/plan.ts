/**
 * Which network groups run: the settings that start each group, the ones it needs, and the
 * variables whose `env` shape check it depends on. Pure.
 */
import type { EnvVarName } from '../config/env.js';
import { fail, skip, type DoctorGroup, type Outcome } from './types.js';

/** The groups that talk to a service. */
export type NetworkGroup = Exclude<DoctorGroup, 'env' | 'tools'>;

/** What starts a group, what it needs, and the variables whose shape it depends on. */
export const GROUP_SETTINGS: Record<NetworkGroup, { triggers: EnvVarName[]; required: EnvVarName[]; shapes: EnvVarName[] }> = {
  acs: {
    triggers: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
    required: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
    shapes: ['AZURE_COMMUNICATION_CONNECTION_STRING'],
  },
  aoai: {
    triggers: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT'],
    required: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT'],
    shapes: ['AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_API_KEY', 'AOAI_VOICE', 'AOAI_INSTRUCTIONS_FILE'],
  },
  public: {
    triggers: ['CALLBACK_URI_HOST'],
    required: ['CALLBACK_URI_HOST'],
    shapes: ['CALLBACK_URI_HOST', 'VOICECTL_MEDIA_TOKEN'],
  },
  asterisk: {
    triggers: ['ASTERISK_HOST', 'ASTERISK_ARI_PORT', 'ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD'],
    required: ['ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD'],
    shapes: ['ASTERISK_HOST', 'ASTERISK_ARI_PORT', 'ASTERISK_ARI_USERNAME', 'ASTERISK_ARI_PASSWORD', 'ASTERISK_APP_NAME'],
  },
  twilio: {
    triggers: ['TWILIO_AUTH_TOKEN', 'TWILIO_PHONE_NUMBER'],
    required: ['TWILIO_ACCOUNT_SID'],
    shapes: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_PHONE_NUMBER', 'TWILIO_PUBLIC_HOST', 'CALLBACK_URI_HOST'],
  },
};

/** How the skip of a group without its settings begins (the summary looks for it). */
export const NOT_CONFIGURED = 'not configured';

/** What {@link gateGroup} looks at. */
export interface GateInput {
  /** A setting's value, undefined when unset. */
  get(name: EnvVarName): string | undefined;
  /** The env shape check of a variable, when it has one. */
  shape(name: string): Outcome | undefined;
  /** `--offline`. */
  offline: boolean;
  /** The group was named in `--only`: missing settings fail instead of skipping. */
  named: boolean;
  /** The env group is in the report (a broken setting is then shown there, and this group skips). */
  envReported: boolean;
}

/**
 * Whether a network group runs.
 * @returns undefined when it runs; otherwise the outcome to report in its place, decided in
 *   this order: `--offline` (skip), not configured (skip, unless named), a setting whose
 *   shape failed (skip pointing at env, or that failure when env is not reported), a
 *   required setting missing (fail).
 */
export function gateGroup(group: NetworkGroup, g: GateInput): Outcome | undefined {
  const s = GROUP_SETTINGS[group];
  if (g.offline) return skip('not run: --offline');
  if (!g.named && !s.triggers.some((n) => g.get(n) !== undefined)) return skip(`${NOT_CONFIGURED} (set ${s.required.join(' and ')})`);
  const broken = s.shapes.filter((n) => g.shape(n)?.status === 'fail');
  if (broken.length > 0) {
    if (g.envReported) return skip(`not run: fix ${broken.join(', ')} first (see env)`);
    const first = g.shape(broken[0]!)!;
    return fail(first.message, first.hint);
  }
  const missing = s.required.filter((n) => g.get(n) === undefined);
  if (missing.length > 0) {
    return fail(`missing ${missing.join(', ')}`, `Set ${missing.join(' and ')} in the environment or the env file (see \`voicectl scaffold env\`).`);
  }
  return undefined;
}
