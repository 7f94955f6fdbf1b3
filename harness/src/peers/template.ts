// Pure text helpers for the peer config files under fixtures/peers/.

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Replaces every {{NAME}} with values[NAME]. A placeholder without a value is an
 * error (a half-filled config would start a server with the wrong settings), and so
 * is a value containing CR/LF, which could smuggle an extra directive into a config.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TemplateError(`no value for placeholder {{${key}}}`);
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw new TemplateError(`value for {{${key}}} contains CR, LF or NUL`);
    return text;
  });
}

/** A flags file: one argument per line; blank lines and lines starting with '#' are skipped. */
export function parseFlagsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
