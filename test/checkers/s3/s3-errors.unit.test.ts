import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeS3Error } from '../../../src/checkers/s3/errors.js';
import { ListingError, newestSnapshot, type Page } from '../../../src/checkers/s3/listing.js';

const where = { endpoint: 's3.example.com:9000', bucket: 'backups' };
const service = (name: string, status: number) => Object.assign(new Error('text from the server'), { name, $metadata: { httpStatusCode: status } });
const network = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

// Failures s3rver cannot produce, in the shapes the SDK hands them over.
test('SDK and network failures become short reasons naming the bucket or the endpoint', () => {
  const table: Array<[unknown, string]> = [
    [service('NoSuchBucket', 404), 'bucket "backups" not found'],
    [service('AccessDenied', 403), 'access denied to bucket "backups" (the key needs s3:ListBucket)'],
    [service('Forbidden', 403), 'access denied to bucket "backups" (the key needs s3:ListBucket)'],
    [service('InvalidAccessKeyId', 403), 'invalid access key (the endpoint does not know this key id)'],
    [service('SignatureDoesNotMatch', 403), 'invalid secret key (request signature does not match)'],
    [service('ExpiredToken', 400), 'S3 session token expired'],
    [service('InternalError', 500), 'S3 error from s3.example.com:9000: InternalError (HTTP 500)'],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'no S3 credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in extra_env)'],
    [network('ECONNREFUSED'), 'endpoint unreachable: s3.example.com:9000 refused the connection'],
    [network('ENOTFOUND'), 'endpoint unreachable: cannot resolve s3.example.com:9000'],
    [network('EHOSTUNREACH'), 'endpoint unreachable: no route to s3.example.com:9000'],
    [network('ECONNRESET'), 'endpoint unreachable: s3.example.com:9000 closed the connection'],
    [Object.assign(network('ETIMEDOUT'), { name: 'TimeoutError' }), 'endpoint unreachable: no answer from s3.example.com:9000'],
    [network('SELF_SIGNED_CERT_IN_CHAIN'), 'TLS failure with s3.example.com:9000: certificate not trusted (set ca_cert)'],
    [network('CERT_HAS_EXPIRED'), 'TLS failure with s3.example.com:9000: certificate expired'],
    [network('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS failure with s3.example.com:9000: certificate does not match the host name'],
    [network('EPROTO'), 'TLS failure with s3.example.com:9000: no TLS handshake (is it an http:// endpoint?)'],
    [network('ERR_SSL_WRONG_VERSION_NUMBER'), 'TLS failure with s3.example.com:9000: ERR_SSL_WRONG_VERSION_NUMBER'],
    [new Error('something odd\nsecond line'), 'S3 request to s3.example.com:9000 failed: something odd'],
  ];
  for (const [error, reason] of table) assert.equal(describeS3Error(error, where), reason, reason);
});

test('listing follows continuation tokens and keeps only the newest time and a count', async () => {
  const id = (n: number) => n.toString(16).padStart(64, '0');
  const pages: Record<string, Page> = {
    start: { objects: [{ key: `p/snapshots/${id(1)}`, lastModified: new Date(1000) }], truncated: true, nextToken: 't1' },
    t1: { objects: [{ key: `p/snapshots/${id(2)}`, lastModified: new Date(5000) }, { key: 'p/snapshots/x', lastModified: new Date(9000) }], truncated: true, nextToken: 't2' },
    // Below snapshots/x/ is not a snapshot, whatever its name; nor is a key outside the prefix.
    t2: {
      objects: [
        { key: `p/snapshots/${id(3)}`, lastModified: new Date(3000) },
        { key: `p/snapshots/${id(4)}` },
        { key: `p/snapshots/x/${id(5)}`, lastModified: new Date(9000) },
        { key: `q/snapshots/${id(6)}`, lastModified: new Date(9000) },
      ],
      truncated: false,
    },
  };
  const asked: Array<string | undefined> = [];
  const observation = await newestSnapshot('p/snapshots/', async (token) => {
    asked.push(token);
    return pages[token ?? 'start']!;
  });
  assert.deepEqual(observation, { latest: new Date(5000), snapshots: 3 });
  assert.deepEqual(asked, [undefined, 't1', 't2']);
});

test('a listing that cannot be followed to its end is an error, never a partial answer', async () => {
  await assert.rejects(
    newestSnapshot('p/snapshots/', async () => ({ objects: [], truncated: true, nextToken: 'same' })),
    new ListingError('incomplete listing: the S3 server repeated a continuation token'),
  );
  for (const nextToken of [undefined, '']) {
    await assert.rejects(
      newestSnapshot('p/snapshots/', async () => ({ objects: [], truncated: true, ...(nextToken !== undefined && { nextToken }) })),
      new ListingError('incomplete listing: the S3 server said more objects follow but gave no continuation token'),
    );
  }
  // A token on the last page (some servers send one) is not followed.
  assert.deepEqual(await newestSnapshot('p/snapshots/', async () => ({ objects: [], truncated: false, nextToken: 'stale' })), { latest: null, snapshots: 0 });
});
