import type { Command } from '@commander-js/extra-typings';
import { loadPersonKey } from '@slipway/sdk/keys';
import { createPersonKey } from '../../people/index.js';
import pc from 'picocolors';

const KEYS_DIR_HELP =
  'the keys directory (default: SLIPWAY_KEYS_DIR, else $XDG_CONFIG_HOME/slipway/keys or ~/.config/slipway/keys)';

/** `slipway keys create|show --as <name>`: a person's Ed25519 signing key on their own machine. */
export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('your signing key: decisions and run starts are signed with it, and checked against the directory');
  keys
    .command('create')
    .description(
      'create the signing key of a person: <keys dir>/<name>.key (mode 0600, in a 0700 directory), never ' +
        'replacing an existing one; prints the public key to add to the directory of people',
    )
    .requiredOption('--as <name>', 'whose key (their name in the directory of people)')
    .option('--keys-dir <dir>', KEYS_DIR_HELP)
    .option(
      '--service',
      "a service's key (the approvals page's ui.service): prints the directory's `services` entry and the ui setting",
    )
    .option('--signs-for-group <group...>', 'with --service: the groups whose members the service may sign for')
    .option('--signs-for-person <name...>', 'with --service: the people the service may sign for')
    .action(async (options) => {
      const { path, key } = await createPersonKey(options.as, keyLocation(options.keysDir));
      console.log(`${pc.green('✔')} created the signing key of ${key.name}: ${path} (mode 0600; keep it private)`);
      console.log(`public key: ${key.publicKey}`);
      if (options.service) {
        console.log(serviceSnippet(key.name, key.publicKey, path, options));
        return;
      }
      console.log(
        pc.dim(
          `Add it to the directory of people, then have the administrator sign the directory again:\n` +
            `  slipway directory set-key <directory file> --person ${key.name} --public-key ${key.publicKey}\n` +
            `  slipway directory sign <directory file> --as <administrator>`,
        ),
      );
    });
  keys
    .command('show')
    .description('print the public key of a person (checking that their key file is private and intact)')
    .requiredOption('--as <name>', 'whose key')
    .option('--keys-dir <dir>', KEYS_DIR_HELP)
    .action(async (options) => {
      const key = await loadPersonKey(options.as, keyLocation(options.keysDir));
      console.log(key.publicKey);
    });
}

/** What to add to the directory of people and to slipway.config.json for a service key. */
function serviceSnippet(
  name: string,
  publicKey: string,
  keyFile: string,
  options: { signsForGroup?: string[]; signsForPerson?: string[] },
): string {
  const service = {
    [name]: { publicKey, signsFor: { people: options.signsForPerson ?? [], groups: options.signsForGroup ?? [] } },
  };
  return [
    'Add the service to the directory of people, then have the administrator sign it again:',
    `  "services": ${JSON.stringify(service)}`,
    '  slipway directory sign <directory file> --as <administrator>',
    'and let the approvals page sign with it, in slipway.config.json:',
    `  "ui": ${JSON.stringify({ service: { name, keyFile } })}`,
  ].join('\n');
}

/** The key location for a `--keys-dir` flag (else SLIPWAY_KEYS_DIR and the defaults). */
export function keyLocation(keysDir: string | undefined): { keysDir?: string } {
  return keysDir ? { keysDir } : {};
}
