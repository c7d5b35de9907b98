import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A dataset argument as a URI: a path becomes a `file://` URI; URIs with a scheme are kept as they are. */
export function datasetUri(dataset: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(dataset) ? dataset : pathToFileURL(resolve(dataset)).href;
}
