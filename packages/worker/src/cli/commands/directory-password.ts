import type { Command } from '@commander-js/extra-typings';
import { setDirectoryPersonPassword } from '@slipway/activities';
import pc from 'picocolors';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../ui/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { readSecretLine } from '../secret-input.js';

/** `slipway directory password <name>`: a person's password for the approvals page, hashed into the directory. */
export function registerDirectoryPasswordCommand(directory: Command, globals: () => GlobalOptions): void {
  directory
    .command('password')
    .description(
      "set a person's password for the approvals page's local sign-in: writes its scrypt hash (never the password) " +
        'into the directory file and removes the signature, so an administrator must sign the directory again',
    )
    .argument('<name>', 'the person, as the directory names them')
    .option('--file <file>', 'the directory file (default: the configured `directory`)')
    .option('--password-stdin', 'read the password from standard input (the first line) instead of asking')
    .action(async (name, options) => {
      const file = options.file ?? commandConfig(globals()).directory;
      if (file === undefined) {
        throw new Error('no directory file: pass --file or set `directory` in slipway.config.json');
      }
      const password = await readSecretLine(`New password for ${name} (at least ${MIN_PASSWORD_LENGTH} characters): `, {
        fromStdin: options.passwordStdin === true,
      });
      const change = await setDirectoryPersonPassword(file, name, await hashPassword(password));
      console.log(`${pc.green('✔')} ${file}: ${change.replaced ? 'replaced' : 'set'} the password hash of ${name}`);
      console.log(
        pc.yellow(
          `${file} is now UNSIGNED${change.signatureRemoved ? ' (its signature was removed)' : ''}: workers, the CLI ` +
            `and the approvals page refuse it until an administrator signs it again:\n` +
            `  slipway directory sign ${file} --as <administrator>`,
        ),
      );
    });
}
