/**
 * The floor of `@slipway/activities`: library folders never import a step module (`src/steps/`),
 * `create-activities.ts` or the package root. ESLint's `import-x/no-restricted-paths` enforces it; here the repo's
 * own ESLint config lints planted files (in memory, at paths inside the package) and must refuse the violations
 * and accept the allowed directions. The planted files are linted without type information (they exist on no
 * disk, so the TypeScript project cannot hold them); the rule needs none.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const RULE = 'import-x/no-restricted-paths';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [{ files: ['**/planted-*.ts'], ...tseslint.configs.disableTypeChecked }],
  });
});

/** The messages of the layering rule for `code` linted as the file `path` (relative to the repository). */
async function layeringErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  if (!result) throw new Error(`ESLint returned no result for ${path}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`ESLint could not parse ${path}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('library folders of @slipway/activities never import a step module', () => {
  it('refuses a library module that imports a step module, naming the import', async () => {
    const errors = await layeringErrors(
      'packages/activities/src/data/planted-violation.ts',
      "import { createValidateActivity } from '../steps/validate.js';\nexport const planted = createValidateActivity;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"../steps/validate.js"');
    expect(errors[0]).toContain('never import a step module');
  });

  it('refuses it in a library folder added later, and for create-activities.ts and the package root', async () => {
    const inNewFolder = await layeringErrors(
      'packages/activities/src/notify/planted-violation.ts',
      "import { createDeployActivity } from '../steps/deploy.js';\nexport const planted = createDeployActivity;\n",
    );
    expect(inNewFolder).toHaveLength(1);
    const deep = await layeringErrors(
      'packages/activities/src/train/trainers/logistic-regression/planted-violation.ts',
      [
        "import { createActivities } from '../../../create-activities.js';",
        "import { createTrainActivity } from '../../../index.js';",
        'export const planted = [createActivities, createTrainActivity];',
        '',
      ].join('\n'),
    );
    expect(deep).toHaveLength(2);
  });

  it('accepts the allowed directions: library → library, step → library, step → step', async () => {
    expect(
      await layeringErrors(
        'packages/activities/src/model-server/planted-ok.ts',
        "import { loadTrainingProfile } from '../data/training-profile.js';\nexport const planted = loadTrainingProfile;\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'packages/activities/src/steps/planted-ok.ts',
        [
          "import { createModelServerClient } from '../model-server/client.js';",
          "import { createValidateActivity } from './validate.js';",
          'export const planted = [createModelServerClient, createValidateActivity];',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });
});
