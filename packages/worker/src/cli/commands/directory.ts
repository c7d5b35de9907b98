import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { fileDirectorySource, setDirectoryPersonKey, signDirectoryFile } from '@slipway/activities';
import { DirectoryName, PublicKey } from '@slipway/sdk';
import { loadKeyFile, loadPersonKey, type PersonKey } from '@slipway/sdk/keys';
import pc from 'picocolors';
import { commandConfig, type GlobalOptions } from '../context.js';
import { writeLocalDirectory, type LocalPeople } from '../../people/index.js';
import { keyLocation } from './keys.js';
import { registerDirectoryPasswordCommand } from './directory-password.js';

/** `slipway directory sign|verify|set-key`: the administrator's side of the signed directory of people. */
export function registerDirectoryCommands(program: Command, globals: () => GlobalOptions): void {
  const directory = program
    .command('directory')
    .description('the directory of people (groups and public keys), signed by an administrator key');
  directory
    .command('init')
    .description(
      'for one machine (a laptop, a tutorial): write a new directory of people, making each missing key in the ' +
        'keys directory, signed by the administrator; prints the settings that trust it',
    )
    .argument('<file>', 'the directory file to write (.json); refused when it exists')
    .requiredOption('--admin <name>', 'the administrator whose key signs the directory (made when missing)')
    .requiredOption('--person <person...>', 'people and their groups: name[:group,group], e.g. maria:ml-leads lee')
    .option('--keys-dir <dir>', 'the keys directory (default: SLIPWAY_KEYS_DIR or the user config directory)')
    .action(async (file, options) => {
      if (existsSync(file)) {
        throw new Error(
          `${file} exists: change a directory with \`slipway directory set-key\` and \`slipway directory sign\``,
        );
      }
      const people = parsePeople(options.person);
      const local = await writeLocalDirectory({
        directoryPath: resolve(file),
        admin: options.admin,
        people,
        keys: keyLocation(options.keysDir),
      });
      console.log(`${pc.green('✔')} ${file}: ${Object.keys(people).join(', ')}, signed by ${options.admin}`);
      console.log(`Trust it: in slipway.config.json set`);
      console.log(`  "directory": ${JSON.stringify(file)}, "directoryAdminKey": "${local.adminPublicKey}"`);
      console.log(pc.dim(`(or SLIPWAY_DIRECTORY=${file} SLIPWAY_DIRECTORY_ADMIN_KEY=${local.adminPublicKey})`));
    });
  directory
    .command('sign')
    .description(
      "sign a directory file (JSON or YAML) with the administrator's key: writes its `signature` field in place; " +
        'workers and the CLI configured with that public key (`directoryAdminKey`) then trust it',
    )
    .argument('<file>', 'the directory of people (.json, .yaml or .yml)')
    .option('--as <name>', 'the administrator whose key signs (their key file in the keys directory)')
    .option('--key <file>', "the administrator's key file (instead of --as)")
    .option('--keys-dir <dir>', 'the keys directory for --as (default: SLIPWAY_KEYS_DIR or the user config directory)')
    .action(async (file, options) => {
      const admin = await adminKey(options);
      const signed = await signDirectoryFile(file, admin.privateKey);
      console.log(`${pc.green('✔')} ${file} signed by ${signed.signature.publicKey}`);
      console.log(`digest ${signed.digest}`);
      if (signed.replacedSigner) console.log(pc.yellow(`it was signed by ${signed.replacedSigner} before`));
      console.log(
        pc.dim(
          `Workers and the CLI trust it with directoryAdminKey "${signed.signature.publicKey}" in slipway.config.json ` +
            `(or SLIPWAY_DIRECTORY_ADMIN_KEY)`,
        ),
      );
    });
  directory
    .command('verify')
    .description(
      'check a directory file against the administrator key: exits 0 when its signature verifies, 1 naming the ' +
        'file and the reason (unreadable or invalid, unsigned, signed by another key, changed after signing)',
    )
    .argument('<file>', 'the directory of people (.json, .yaml or .yml)')
    .option('--admin-key <ed25519:…>', 'the administrator public key (default: the configured directoryAdminKey)')
    .action(async (file, options) => {
      const key =
        options.adminKey === undefined
          ? commandConfig(globals()).directoryAdminKey
          : parseKey(options.adminKey, '--admin-key');
      const { directory, digest } = await fileDirectorySource(file, key).read();
      const people = Object.entries(directory.people);
      const keyless = people.filter(([, person]) => person.publicKey === undefined).map(([name]) => name);
      console.log(`${pc.green('✔')} ${file} is signed by the administrator key ${key}`);
      console.log(`digest ${digest}; ${people.length} ${people.length === 1 ? 'person' : 'people'}`);
      if (keyless.length > 0) {
        console.log(pc.yellow(`without a public key (they can neither decide nor start runs): ${keyless.join(', ')}`));
      }
    });
  directory
    .command('set-key')
    .description(
      "add or replace a person's public key in a directory file (adding the person, in no group, when absent); " +
        'removes the signature: the file is refused until an administrator signs it again',
    )
    .argument('<file>', 'the directory of people (.json, .yaml or .yml)')
    .requiredOption('--person <name>', 'whose key')
    .requiredOption('--public-key <ed25519:…>', 'their public key (`slipway keys show --as <name>`)')
    .action(async (file, options) => {
      const name = DirectoryName.safeParse(options.person);
      if (!name.success)
        throw new Error(`--person ${JSON.stringify(options.person)}: ${name.error.issues[0]?.message}`);
      const change = await setDirectoryPersonKey(file, name.data, parseKey(options.publicKey, '--public-key'));
      const what = change.added
        ? `added ${name.data} (in no group) with their public key`
        : `set the public key of ${name.data}${change.previousKey ? ` (replacing ${change.previousKey})` : ''}`;
      console.log(`${pc.green('✔')} ${file}: ${what}`);
      console.log(
        pc.yellow(
          `${file} is now UNSIGNED${change.signatureRemoved ? ' (its signature was removed)' : ''}: workers and the ` +
            `CLI refuse it until an administrator signs it again:\n  slipway directory sign ${file} --as <administrator>`,
        ),
      );
    });
  registerDirectoryPasswordCommand(directory, globals);
}

async function adminKey(options: { as?: string; key?: string; keysDir?: string }): Promise<PersonKey> {
  if ((options.as === undefined) === (options.key === undefined)) {
    throw new Error("name the administrator's key with --as <name> or --key <file> (one of them)");
  }
  return options.key !== undefined
    ? loadKeyFile(options.key)
    : loadPersonKey(options.as ?? '', keyLocation(options.keysDir));
}

function parseKey(value: string, flag: string): PublicKey {
  const parsed = PublicKey.safeParse(value.trim());
  if (!parsed.success) throw new Error(`${flag} ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** `--person maria:ml-leads,risk` flags as name → groups; a name that could not be in the directory is refused. */
function parsePeople(flags: readonly string[]): LocalPeople {
  const people: LocalPeople = {};
  for (const flag of flags) {
    const [name = '', groups = ''] = flag.split(':', 2);
    if (!DirectoryName.safeParse(name).success)
      throw new Error(`--person ${flag}: ${JSON.stringify(name)} is not a name`);
    people[name] = groups ? groups.split(',').filter((g) => g.length > 0) : [];
  }
  return people;
}
