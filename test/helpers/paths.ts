import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Tests run from dist/test/...; fixtures and the CLI are found from the project root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
