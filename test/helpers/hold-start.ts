/**
 * `node --import <this file>`: holds the CLI at the moment it loads the bulk of the program
 * (src/cli/main.js) until the file $HOLD_START_RELEASE exists, after printing
 * "hold-start: holding" on stderr. A test can then send signals while the program is still
 * loading, which is otherwise a window of a few hundred milliseconds.
 */
import { register } from 'node:module';

register('./hold-start-hooks.js', import.meta.url);
