import { writeFileSync } from 'node:fs';

// Loaded with `node --import` into a CLI under test: on exit, writes the process's peak
// resident memory (KiB) to the file named by RM_MAX_RSS_FILE.
const file = process.env.RM_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
