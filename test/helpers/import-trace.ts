/**
 * `node --import <this file>`: reports on stderr every @aws-sdk module the program resolves,
 * as "import-trace: <specifier>", so a test can see whether the S3 SDK was loaded at all.
 */
import { register } from 'node:module';

register('./import-trace-hooks.js', import.meta.url);
