import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../helpers/project-root.js';
import { anchorOf, anchorsOf, fencedBlocks, linksOf, markdownFiles, SHELL_LANGUAGES } from './markdown.js';

const ROOT = projectRoot();
const files = markdownFiles(ROOT);

test('every relative link in the docs leads to a file that exists, and to a heading it has', () => {
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (path: string) => {
    if (!anchors.has(path)) anchors.set(path, anchorsOf(readFileSync(join(ROOT, path), 'utf8')));
    return anchors.get(path)!;
  };
  const broken: string[] = [];
  for (const file of files) {
    for (const target of linksOf(readFileSync(join(ROOT, file), 'utf8'))) {
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(join(ROOT, resolved))) broken.push(`${file}: ${target}: no such file`);
      else if (anchor && resolved.endsWith('.md') && !anchorsIn(resolved).has(anchor)) broken.push(`${file}: ${target}: no such heading`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every shell block a reader may paste is marked: run by the doc test, or skipped with the reason', () => {
  const unmarked: string[] = [];
  for (const file of files) {
    for (const block of fencedBlocks(file, readFileSync(join(ROOT, file), 'utf8'))) {
      if (!SHELL_LANGUAGES.includes(block.language)) continue;
      if (block.mark.kind === 'none') unmarked.push(`${file}:${block.line}: a shell block without <!-- doc-test --> (or doc-test: skip REASON)`);
      if (block.mark.kind === 'skip' && block.mark.reason.trim().length < 10) unmarked.push(`${file}:${block.line}: doc-test: skip needs its reason`);
    }
  }
  assert.deepEqual(unmarked, []);
});

test('the Markdown helpers: GitHub anchors, marks, blocks in list items', () => {
  assert.equal(anchorOf('`run --textfile PATH`: metrics for one-shot runs'), 'run---textfile-path-metrics-for-one-shot-runs');
  assert.equal(anchorOf('Quick start: from an empty machine to a green monitor'), 'quick-start-from-an-empty-machine-to-a-green-monitor');
  assert.deepEqual([...anchorsOf('# A\n## B\n```\n# not a heading\n```\n## B\n')], ['a', 'b', 'b-1']);
  const blocks = fencedBlocks('x.md', 'text\n\n1. step\n\n   <!-- doc-test -->\n   ```sh\n   cat <<EOF\n     kept\n   EOF\n   ```\n\n<!-- doc-test: skip needs a cluster to run -->\n```sh\nkubectl apply\n```\n\n```yaml\na: 1\n```\n');
  assert.deepEqual(
    blocks.map((block) => [block.line, block.language, block.mark, block.code]),
    [
      [6, 'sh', { kind: 'run' }, 'cat <<EOF\n  kept\nEOF\n'],
      [13, 'sh', { kind: 'skip', reason: 'needs a cluster to run' }, 'kubectl apply\n'],
      [17, 'yaml', { kind: 'none' }, 'a: 1\n'],
    ],
  );
  assert.deepEqual(linksOf('[a](docs/x.md#y) [b](https://e.example) `[c](not/a/link)` ![p](p.png)'), ['docs/x.md#y', 'p.png']);
});
