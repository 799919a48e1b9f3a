/**
 * Human text for a {@link ScaffoldReport}: stdout lines (what was written, the commands
 * to load and check it) and stderr notices (defaults used). Pure: returns lines.
 */
import type { ScaffoldReport } from './scaffold.js';

/** The report as human text: `out` for stdout, `notes` for stderr. */
export function formatReport(r: ScaffoldReport): { out: string[]; notes: string[] } {
  const out: string[] = [];
  const notes: string[] = [];
  for (const d of r.defaults)
    notes.push(`Using default ${d.setting} ${d.value || '""'} (pass ${d.setting} to change it).`);

  for (const f of r.files) {
    if (f.action === 'unchanged') {
      out.push(`unchanged ${f.path} (already lists .env)`);
      continue;
    }
    const backup = f.backup ? `, previous copy kept as ${f.backup}` : '';
    out.push(`${f.action.padEnd(8)} ${f.path} (mode ${f.mode}${backup})`);
  }

  if (r.env && r.env.placeholders.length > 0) {
    out.push(
      '',
      `.env: ${r.env.filled.length} values set, ${r.env.placeholders.length} left as # placeholders to fill in.`,
    );
  }

  if (r.env && r.env.kept.length > 0) {
    out.push(`.env: kept from the previous file (voicectl does not read them): ${r.env.kept.join(', ')}.`);
  }

  const pw = r.ariPassword;
  if (pw?.source === 'generated') {
    if (pw.generated !== undefined) {
      out.push('', `Generated ARI password (shown once; set it as ASTERISK_ARI_PASSWORD): ${pw.generated}`);
    } else if (pw.envFile) {
      out.push('', `Generated ARI password written to ${pw.envFile} as ASTERISK_ARI_PASSWORD.`);
    }
  }

  const token = r.mediaToken;
  if (token?.source === 'generated') {
    if (token.generated !== undefined) {
      out.push('', `Generated media token (shown once; set it as VOICECTL_MEDIA_TOKEN for \`voicectl bridge\`): ${token.generated}`);
    } else if (token.envFile) {
      out.push('', `Generated media token written to ${token.envFile} as VOICECTL_MEDIA_TOKEN (websocket_client.conf has it as the password).`);
    }
  }

  if (r.asterisk) {
    out.push('', 'Load them into Asterisk (after copying to /etc/asterisk if --dir is elsewhere):');
    for (const c of r.asterisk.load) out.push(`  ${c}`);
    out.push('Check them:');
    for (const c of r.asterisk.check) out.push(`  ${c}`);
  }
  return { out, notes };
}
