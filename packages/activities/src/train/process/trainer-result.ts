import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FinalErrorType, TrainerResultFile, describeIssues, finalFailure } from '@slipway/sdk';
import { fileInside } from './work-dir.js';

/** The file a trainer writes into its output directory on success. */
export const TRAINER_RESULT_FILE_NAME = 'result.json';
/** The largest `result.json` read (1 MiB): it names a model file, it does not hold one. */
export const MAX_RESULT_FILE_BYTES = 1024 * 1024;

/** A trainer's validated `result.json` and the absolute path of the model file it names. */
export interface TrainerOutput {
  result: TrainerResultFile;
  resultPath: string;
  modelPath: string;
}

/**
 * Reads and validates `<outputDir>/result.json` after a trainer exited 0, and checks that the model file it names
 * is a regular file inside `outputDir` (symbolic links resolved). Anything missing or invalid is a final
 * `SlipwayTrainerFailed` naming the file and the field.
 */
export async function readTrainerOutput(trainer: string, outputDir: string): Promise<TrainerOutput> {
  const resultPath = join(outputDir, TRAINER_RESULT_FILE_NAME);
  const fail = (problem: string, details: Record<string, unknown> = {}) =>
    finalFailure(FinalErrorType.TrainerFailed, `Trainer "${trainer}" exited 0, but ${resultPath} ${problem}`, {
      trainer,
      file: resultPath,
      ...details,
    });
  const found = await fileInside(outputDir, TRAINER_RESULT_FILE_NAME);
  if (!found.ok) throw fail(`${found.problem} (a trainer must write it on success)`);
  if ((await stat(found.path)).size > MAX_RESULT_FILE_BYTES)
    throw fail(`is larger than ${MAX_RESULT_FILE_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(found.path, 'utf8'));
  } catch (err) {
    throw fail(`is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = TrainerResultFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
    throw fail(`is invalid: ${describeIssues(parsed.error)}`, { issues });
  }
  const model = await fileInside(outputDir, parsed.data.model.path);
  if (!model.ok) throw fail(`is invalid: model.path: "${parsed.data.model.path}" ${model.problem}`);
  return { result: parsed.data, resultPath, modelPath: model.path };
}
