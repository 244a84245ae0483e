import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsBlobStore } from './fs/fs-blob-store.js';
import type { BlobStore } from './blob-store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-blobs-'));
  dirs.push(dir);
  return dir;
}
const implementations: Array<[string, () => BlobStore]> = [['fs', () => new FsBlobStore(tempDir())]];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

for (const [name, make] of implementations) {
  describe(`${name} blob store contract`, () => {
    it('round-trips buffers and streams, overwrites, and deletes', async () => {
      const blobs = make();
      await blobs.put('logs/t1/0000000001', 'hello');
      await blobs.put('logs/t1/0000000001', Buffer.from('hello again'));
      assert.equal((await blobs.get('logs/t1/0000000001'))?.toString(), 'hello again');
      await blobs.putStream('caches/p/key', Readable.from([Buffer.from('a'), Buffer.from('b')]));
      const stream = await blobs.getStream('caches/p/key');
      const parts: Buffer[] = [];
      for await (const part of stream!) parts.push(part as Buffer);
      assert.equal(Buffer.concat(parts).toString(), 'ab');
      await blobs.delete('caches/p/key');
      assert.equal(await blobs.get('caches/p/key'), undefined);
      assert.equal(await blobs.getStream('caches/p/key'), undefined);
    });

    it('lists keys under a prefix in lexical order', async () => {
      const blobs = make();
      for (const key of ['logs/a/2', 'logs/a/10', 'logs/b/1', 'other/x']) await blobs.put(key, key);
      assert.deepEqual((await blobs.list('logs/a/')).map((b) => b.key), ['logs/a/10', 'logs/a/2']);
      assert.deepEqual((await blobs.list('logs/')).map((b) => b.key), ['logs/a/10', 'logs/a/2', 'logs/b/1']);
    });

    it('refuses keys that could escape the store', async () => {
      const blobs = make();
      for (const key of ['../etc/passwd', '/abs', 'a/../../b', 'a//b', '']) {
        await assert.rejects(blobs.put(key, 'x'), /Invalid blob key/);
      }
    });
  });
}
