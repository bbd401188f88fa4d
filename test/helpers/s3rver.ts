import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { newRepositoryFiles } from './restic-repos.js';

const exec = promisify(execFile);

export interface TestCa {
  dir: string;
  /** PEM of the self-signed certificate: restic --cacert, our ca_cert. */
  certPath: string;
  keyPath: string;
}

/** A self-signed certificate for 127.0.0.1 (SAN IP:127.0.0.1), made with openssl at test time. */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'rm-ca-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  await exec('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { dir, certPath, keyPath };
}

export interface S3rver {
  /** 127.0.0.1:PORT */
  host: string;
  /** https://127.0.0.1:PORT (or http:// without TLS) */
  endpoint: string;
  dir: string;
  bucket: string;
  /** restic's URL for a prefix in the bucket. */
  url(prefix: string): string;
  /** Sets LastModified of every object under `keyPrefix` (s3rver reads it from the file's mtime). */
  setMtime(keyPrefix: string, time: Date): Promise<void>;
  /**
   * Objects written into s3rver's directory as its own PUT stores them (the content, its MD5
   * and the metadata an SDK PUT leaves): s3rver lists and serves them like any other. For
   * the thousands a listing test needs, which as PUTs over TLS cost ~15 CPU-seconds.
   */
  store(keys: string[], body: string | Buffer): Promise<void>;
  /**
   * `restic init` of `prefix` without its key derivation: the config and a cheap key file
   * (restic-repos.ts, newRepositoryFiles) stored as restic's PUTs store them.
   */
  initRepository(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * s3rver 3.7 in a child process on 127.0.0.1:0, with one bucket. Under
 * --openssl-legacy-provider, or its continuation tokens answer HTTP 500 on Node 20; with TLS
 * when `ca` is given, because restic's writes over plain http are stored corrupted. It accepts
 * the access key ids "S3RVER" and `keyIds`, any secret.
 */
export async function startS3rver(options: { bucket?: string; ca?: TestCa; keyIds?: string[] } = {}): Promise<S3rver> {
  const bucket = options.bucket ?? 'restic';
  const dir = await mkdtemp(join(tmpdir(), 'rm-s3rver-'));
  const main = fileURLToPath(new URL('./s3rver-main.js', import.meta.url));
  const settings = { dir, bucket, keyIds: options.keyIds ?? [], ...(options.ca && { keyPath: options.ca.keyPath, certPath: options.ca.certPath }) };
  const child = spawn(process.execPath, ['--openssl-legacy-provider', main, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const host = await listeningAddress(child);
  const scheme = options.ca ? 'https' : 'http';
  const server: S3rver = {
    host,
    endpoint: `${scheme}://${host}`,
    dir,
    bucket,
    url: (prefix) => `s3:${scheme}://${host}/${bucket}${prefix ? `/${prefix}` : ''}`,
    setMtime: async (keyPrefix, time) => {
      const root = join(dir, bucket, keyPrefix);
      for (const name of await readdir(root, { recursive: true })) {
        if (name.endsWith('._S3rver_object')) await utimes(join(root, name), time, time);
      }
    },
    store: async (keys, body) => {
      const md5 = createHash('md5').update(body).digest('hex');
      const metadata = JSON.stringify({ 'content-type': 'application/octet-stream' }, null, 2);
      // s3rver's FilesystemStore: a key's last segment plus ._S3rver_<resource>, in folders of the rest.
      const path = (key: string, resource: string) => join(dir, bucket, `${key}._S3rver_${resource}`);
      let next = 0;
      const worker = async () => {
        for (let key = keys[next++]; key !== undefined; key = keys[next++]) {
          await mkdir(dirname(path(key, 'object')), { recursive: true });
          await writeFile(path(key, 'object'), body);
          await writeFile(path(key, 'object.md5'), md5);
          await writeFile(path(key, 'metadata.json'), metadata);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    },
    initRepository: async (prefix) => {
      const { config, key } = await newRepositoryFiles();
      await server.store([`${prefix}/config`], config);
      await server.store([`${prefix}/keys/${key.id}`], key.text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
  return server;
}

function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start within 30 s: ${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /S3rver listening on ([\d.]+):(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}:${match[2]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${output}`));
    });
  });
}
