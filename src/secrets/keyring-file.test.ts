import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../shared/errors.js';
import { createKeyRingFile, loadKeyRingFile, rotateKeyRingFile } from './keyring-file.js';

const AAD = 'org:o|project:p|name:N';
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-keyring-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refuses(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('key ring file', { skip: process.platform === 'win32' }, () => {
  test('is created with mode 0600 and the documented JSON, and loads back', async () => {
    const path = join(dir, 'create.json');
    const previous = process.umask(0o000); // even a permissive umask must not widen the mode
    let ring;
    try {
      ring = await createKeyRingFile(path);
    } finally {
      process.umask(previous);
    }
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.equal(doc.format, 'kiln-keyring/v1');
    assert.equal(doc.latest, 1);
    assert.equal(doc.minDecryptionVersion, 1);
    assert.equal(Buffer.from((doc.keys as Record<string, string>)['1'], 'base64').length, 32);
    const loaded = await loadKeyRingFile(path);
    assert.equal(loaded.decrypt(ring.encrypt('v', AAD), AAD), 'v');
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'no temp files left');
  });

  test('refuses to overwrite an existing file', async () => {
    const path = join(dir, 'twice.json');
    await createKeyRingFile(path);
    const before = await readFile(path, 'utf8');
    await refuses(createKeyRingFile(path), 'conflict', /already exists/);
    assert.equal(await readFile(path, 'utf8'), before);
  });

  test('refuses to load a group/world-readable file (0644) with a clear error', async () => {
    const path = join(dir, 'loose.json');
    await createKeyRingFile(path);
    await chmod(path, 0o644);
    await refuses(loadKeyRingFile(path), 'internal', /mode is 0644, so group\/other users can access it; run: chmod 600/);
    await chmod(path, 0o640);
    await refuses(loadKeyRingFile(path), 'internal', /mode is 0640/);
    await chmod(path, 0o400);
    assert.equal((await loadKeyRingFile(path)).latestVersion, 1, 'owner-read-only is fine');
  });

  test('refuses a missing file and invalid content without echoing it', async () => {
    await refuses(loadKeyRingFile(join(dir, 'absent.json')), 'internal', /absent\.json: the file does not exist/);
    const path = join(dir, 'garbage.json');
    await writeFile(path, 'SECRET-LOOKING-CONTENT', { mode: 0o600 });
    await assert.rejects(loadKeyRingFile(path), (error: unknown) => {
      assert.ok(error instanceof AppError && /not valid JSON/.test(error.message));
      assert.ok(!error.message.includes('SECRET-LOOKING'));
      return true;
    });
    await refuses(loadKeyRingFile(dir), 'internal', /not a regular file/);
  });

  test('rotation rewrites atomically, keeps 0600, and old values still decrypt', async () => {
    const path = join(dir, 'rotate.json');
    const ring = await createKeyRingFile(path);
    const old = ring.encrypt('before', AAD);
    const rotated = await rotateKeyRingFile(path);
    assert.equal(rotated.latestVersion, 2);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const loaded = await loadKeyRingFile(path);
    assert.equal(loaded.latestVersion, 2);
    assert.equal(loaded.decrypt(old, AAD), 'before');
    assert.match(loaded.encrypt('after', AAD), /^vault:v2:/);
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
  });

  test('rotation refuses a loose file instead of rewriting it', async () => {
    const path = join(dir, 'rotate-loose.json');
    await createKeyRingFile(path);
    await chmod(path, 0o604);
    await refuses(rotateKeyRingFile(path), 'internal', /mode is 0604/);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).latest, 1);
  });
});
