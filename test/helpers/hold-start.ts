/**
 * `node --import <this file>`: holds the CLI at the first module its entry point (src/cli.js)
 * imports until the file $HOLD_START_RELEASE exists, after printing "hold-start: holding
 * <module>" on stderr. A test can then send signals while the program is still loading,
 * which is otherwise a window of a few hundred milliseconds.
 */
import { register } from 'node:module';

register('./hold-start-hooks.js', import.meta.url);
