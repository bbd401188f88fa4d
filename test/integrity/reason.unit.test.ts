import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integrityFinding } from '../../src/integrity/reason.js';

// stderr of `restic check --no-lock --json` as each version printed it here (Debian builds),
// on a repository with one data pack corrupted (read with --read-data-subset 100%), one
// data pack deleted, and one tree pack corrupted.
const PACK = '6d7203bb7c447f225e7c57414f40cc03a3488273c7053115385b354fe8c227ab';
const ADVICE_DAMAGED = [
  '{"message_type":"error","message":"\\nThe repository contains damaged pack files. These damaged files must be removed to repair the repository. This can be done using the following commands. Please read the troubleshooting guide at https://restic.readthedocs.io/en/stable/077_troubleshooting.html first.\\n\\n"}',
  `{"message_type":"error","message":"restic repair packs ${PACK}\\nrestic repair snapshots --forget\\n\\n"}`,
  '{"message_type":"error","message":"Damaged pack files can be caused by backend problems, hardware problems or bugs in restic. Please open an issue at https://github.com/restic/restic/issues/new/choose for further troubleshooting!\\n"}',
];
const ADVICE_REPAIR = '{"message_type":"error","message":"\\nThe repository is damaged and must be repaired. Please follow the troubleshooting guide at https://restic.readthedocs.io/en/stable/077_troubleshooting.html .\\n\\n"}';
const EXIT = '{"message_type":"exit_error","code":1,"message":"Fatal: repository contains errors"}';

test('restic 0.14 (plain text): the first finding, IDs shortened', () => {
  assert.equal(
    integrityFinding('Pack ID does not match, want 1bc4c348306537e272dad3a3932aa5d8b38617a092758d089f62d710588bd34b, got dc9fb35b6ff6f11d7eaaec71578fec371795d7612ae19b1131dfff14418c3019\nFatal: repository contains errors\n'),
    'Pack ID does not match, want 1bc4c348, got dc9fb35b',
  );
  assert.equal(integrityFinding('pack 1bc4c348306537e272dad3a3932aa5d8b38617a092758d089f62d710588bd34b: does not exist\nFatal: repository contains errors\n'), 'pack 1bc4c348: does not exist');
  assert.equal(
    integrityFinding('error for tree e5556ba0:\n  decrypting blob e5556ba0a59c05c9e4b205aea7f53c527d3f7d9599635f45814d022a2a097d4c failed: ciphertext verification failed\nFatal: repository contains errors\n'),
    'error for tree e5556ba0: decrypting blob e5556ba0 failed: ciphertext verification failed',
  );
});

test('restic 0.18 and 0.19.1 (--json): the first error message, without the advice that follows it', () => {
  const corrupted = `{"message_type":"error","message":"pack ${PACK} contains 2 errors: [blob fa8486b1be85f3ac166382798a27a808559bef31767d8c3c04376e8c158cdab2: decrypting blob \\u003cdata/fa8486b1\\u003e from 6d7203bb failed: ciphertext verification failed unexpected pack id ddae04798b022ddfd4865caef886de54ae8d59c92dde7b0a708344f67eb3a614]\\n"}`;
  assert.equal(
    integrityFinding([corrupted, ...ADVICE_DAMAGED, EXIT, ''].join('\n')),
    'pack 6d7203bb contains 2 errors: [blob fa8486b1: decrypting blob <data/fa8486b1> from 6d7203bb failed: ciphertext verification failed unexpected pack id ddae0479]',
  );
  assert.equal(integrityFinding([`{"message_type":"error","message":"pack ${PACK}: does not exist\\n"}`, ADVICE_REPAIR, EXIT, ''].join('\n')), 'pack 6d7203bb: does not exist');
  const tree = [
    '{"message_type":"error","message":"error for tree b419d855:\\n"}',
    '{"message_type":"error","message":"  decrypting blob \\u003ctree/b419d855\\u003e from pack 74564325f1856905963b5ad788b7c4ccbdda8c1dfaa4aae8dd951a8cd4abfb20 failed: ciphertext verification failed\\n"}',
  ];
  assert.equal(integrityFinding([...tree, ADVICE_REPAIR, EXIT, ''].join('\n')), 'error for tree b419d855: decrypting blob <tree/b419d855> from pack 74564325 failed: ciphertext verification failed');
});

test('more findings are counted; a failure that is not damage is left to the usual restic reasons', () => {
  assert.equal(integrityFinding('pack aaaaaaaa: does not exist\npack bbbbbbbb: does not exist\npack cccccccc: does not exist\nFatal: repository contains errors\n'), 'pack aaaaaaaa: does not exist (and 2 more lines of errors)');
  assert.equal(integrityFinding('Fatal: repository contains errors\n'), 'restic check found errors');
  assert.equal(integrityFinding('Fatal: wrong password or no key found\n'), undefined);
  assert.equal(integrityFinding('{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}\n'), undefined);
});
