/**
 * The packaged templates (`templates/` at the package root, listed in package.json
 * `files`), found relative to this module, never the working directory: from both
 * `src/scaffold/templates.ts` and `dist/scaffold/templates.js`, `../../templates/` is the
 * package root's `templates/`.
 *
 * Placeholders are `{{name}}`; every placeholder must get a value (Asterisk `${VAR}`
 * expressions are left alone).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the packaged templates directory. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** Names of the templates, relative to {@link TEMPLATES_DIR}. */
export type TemplateName =
  | 'env/header.env'
  | 'asterisk/ari-general.conf'
  | 'asterisk/ari-user.conf'
  | 'asterisk/http-general.conf'
  | 'asterisk/dialplan.conf'
  | 'asterisk/websocket-client.conf'
  | 'asterisk/media-dialplan.conf';

/**
 * Read a packaged template.
 * @throws Error when the package is incomplete (the file is missing): a packaging bug.
 */
export async function readTemplate(name: TemplateName, dir: string = TEMPLATES_DIR): Promise<string> {
  return readFile(path.join(dir, name), 'utf8');
}

/**
 * Replace each `{{name}}` with `values[name]`; trailing spaces are trimmed from every line.
 * @throws Error naming the placeholder when a value is missing (a bug, not user input).
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  const filled = text.replace(/\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`Template placeholder {{${key}}} has no value`);
    return value;
  });
  return filled.replace(/[ \t]+$/gm, ''); // an empty value leaves no trailing space
}

/** Read and fill a template. */
export async function renderTemplate(
  name: TemplateName,
  values: Readonly<Record<string, string>> = {},
): Promise<string> {
  return fillTemplate(await readTemplate(name), values);
}
