/**
 * ftp-ref's command line: `serve` (the default) starts the server, `user`
 * manages accounts. Every serve flag comes from the settings table.
 */
import yargs, { type Options } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SETTINGS, loadSettings, dataLayout, ConfigError, type SettingName } from './config.ts';
import { AccountStore, AccountError, type Role } from './accounts/account-store.ts';
import { FtpServer } from './server.ts';

function settingOptions(): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const [name, spec] of Object.entries(SETTINGS)) {
    options[name] = { type: spec.type, describe: `${spec.describe} [default: ${JSON.stringify(spec.default)}]`, group: 'Server settings:' };
  }
  return options;
}

/** Only the flags a user actually gave (yargs fills no defaults), so a config file is not overridden by defaults. */
function givenSettings(argv: Record<string, unknown>): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) if (argv[name] !== undefined) given[name] = argv[name];
  return given;
}

async function serve(argv: Record<string, unknown>): Promise<void> {
  const settings = await loadSettings(argv.config as string | undefined, givenSettings(argv));
  const server = await FtpServer.start(settings);
  const { host, port } = server.address();
  const layout = dataLayout(settings);
  const accounts = server.context.accounts.list().length;
  console.log(`ftp-ref listening on ${host}:${port} (data ${layout.root}, ${accounts} account${accounts === 1 ? '' : 's'}, anonymous ${settings.anonymous ? 'on' : 'off'}, registration ${settings.registration ? 'on' : 'off'})`);
  if (accounts === 0) console.log('No accounts yet: add one with `ftp-ref user add <name> --password <password>`.');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (running transfers get ${settings.shutdownGrace}s)`);
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function openStore(argv: Record<string, unknown>): Promise<AccountStore> {
  const settings = await loadSettings(argv.config as string | undefined, givenSettings(argv));
  return AccountStore.open(dataLayout(settings).accounts);
}

function readPassword(argv: Record<string, unknown>): string {
  const password = (argv.password as string | undefined) ?? process.env.FTP_REF_PASSWORD;
  if (!password) throw new ConfigError('give the password with --password or the FTP_REF_PASSWORD environment variable');
  return password;
}

const cli = yargs(hideBin(process.argv))
  .scriptName('ftp-ref')
  .usage('$0 [serve] [options]\n\nThe ftp-check reference FTP server.')
  .option('config', { type: 'string', describe: 'YAML or JSON file of settings (flags win over it)' })
  .options(settingOptions())
  .command(['serve', '$0'], 'Start the server (the default)', () => {}, serve)
  .command('user', 'Manage accounts', (user) =>
    user
      .command('add <name>', 'Add an account', (y) =>
        y
          .positional('name', { type: 'string', demandOption: true })
          .option('password', { type: 'string', describe: 'Password (or FTP_REF_PASSWORD)' })
          .option('role', { choices: ['user', 'admin'] as const, default: 'user' as const })
          .option('quota', { type: 'number', describe: 'Quota in bytes (0: none)' }),
        async (argv) => {
          const store = await openStore(argv);
          const settings = await loadSettings(argv.config as string | undefined, givenSettings(argv));
          await store.add(argv.name as string, readPassword(argv), { role: argv.role as Role, quotaLimit: (argv.quota as number | undefined) ?? settings.defaultQuota });
          console.log(`added ${argv.name} (${argv.role})`);
        },
      )
      .command('del <name>', 'Delete an account (its home is kept)', (y) => y.positional('name', { type: 'string', demandOption: true }), async (argv) => {
        await (await openStore(argv)).remove(argv.name as string);
        console.log(`deleted ${argv.name}`);
      })
      .command('passwd <name>', 'Set an account\'s password', (y) => y.positional('name', { type: 'string', demandOption: true }).option('password', { type: 'string' }), async (argv) => {
        await (await openStore(argv)).setPassword(argv.name as string, readPassword(argv));
        console.log(`password of ${argv.name} changed`);
      })
      .command('list', 'List accounts', () => {}, async (argv) => {
        for (const account of (await openStore(argv)).list()) console.log(`${account.name}\trole=${account.role}\tlimit=${account.quotaLimit}`);
      })
      .demandCommand(1, 'say add, del, passwd or list'),
  )
  .strict()
  .help()
  .alias('help', 'h')
  .version()
  .alias('version', 'V')
  .fail((message, error, instance) => {
    if (error && !(error instanceof ConfigError) && !(error instanceof AccountError) && (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.error(`ftp-ref: ${error ? error.message : message}`);
    if (!error) console.error(instance.help());
    process.exit(2);
  });

await cli.parseAsync();
