// Writes the trainer protocol's JSON Schemas (docs/trainer-protocol/*.schema.json) from the zod schemas in
// @slipway/sdk, formatted as the project's Prettier settings say. Run after a build: `npm run docs:schemas`.
// A unit test fails when the committed files differ from what the zod schemas generate.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainerProtocolJsonSchemas } from '@slipway/sdk';
import * as prettier from 'prettier';

const dir = join(import.meta.dirname, '..', 'docs', 'trainer-protocol');
for (const [file, schema] of Object.entries(trainerProtocolJsonSchemas())) {
  const path = join(dir, file);
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  await writeFile(path, await prettier.format(JSON.stringify(schema), options));
  console.log(`wrote docs/trainer-protocol/${file}`);
}
