/** @module Blob store on a local folder (the embedded default). Writes go to a temp file, then rename. */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type BlobInfo, type BlobStore } from '../blob-store.js';

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async tempFor(path: string): Promise<string> {
    await mkdir(dirname(path), { recursive: true });
    return `${path}.tmp-${randomBytes(6).toString('hex')}`;
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const path = this.path(key);
    const temp = await this.tempFor(path);
    await writeFile(temp, body);
    await rename(temp, path);
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const path = this.path(key);
    const temp = await this.tempFor(path);
    try {
      await pipeline(body, createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable | undefined> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch {
      return undefined;
    }
    return createReadStream(path);
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const base = prefix.endsWith('/') || prefix === '' ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const dir = base ? this.path(base.replace(/\/$/, '')) : this.root;
    const out: BlobInfo[] = [];
    await this.walk(dir, out);
    return out.filter((b) => b.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(dir: string, out: BlobInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(path, out);
      else if (!entry.name.includes('.tmp-')) {
        const info = await stat(path);
        out.push({ key: relative(this.root, path).split(sep).join('/'), size: info.size, modifiedAt: info.mtime.toISOString() });
      }
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
