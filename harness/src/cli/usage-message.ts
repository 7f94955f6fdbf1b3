/** How yargs' complaints are shown (pure; kept apart from the entry point so it can be tested). */
const COMMANDS = ['run', 'stress', 'merge', 'grade'];

/**
 * yargs' own complaints, made short: an unknown option is named once as typed
 * (yargs also lists its camelCase twin), and the pointer is to --help rather
 * than the whole help text.
 */
export function usageMessage(message: string, argv: readonly string[]): string {
  const command = argv.find((arg) => !arg.startsWith('-'));
  const helpFor = command && COMMANDS.includes(command) ? `ftp-check ${command} --help` : 'ftp-check --help';
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown) {
    const names = (unknown[1] ?? '').split(', ');
    const typed = names.filter((name) => !names.some((other) => other !== name && other.includes('-') && camelCase(other) === name));
    const positional = typed.filter((name) => argv.includes(name));
    const options = typed.filter((name) => !argv.includes(name)).map((name) => `${name.length === 1 ? '-' : '--'}${name}`);
    const parts = [
      options.length > 0 ? `unknown ${options.length === 1 ? 'option' : 'options'} ${options.join(', ')}` : '',
      positional.length > 0 ? `unexpected ${positional.length === 1 ? 'argument' : 'arguments'} ${positional.map((name) => `"${name}"`).join(', ')}${command === positional[0] ? ` (commands: ${COMMANDS.join(', ')})` : ''}` : '',
    ];
    return `${parts.filter(Boolean).join('; ')} (see ${helpFor})`;
  }
  return `${message} (see ${helpFor})`;
}

const camelCase = (name: string) => name.replace(/-+([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
