/**
 * @module The master key file on disk: create (0600, no clobber), load (refusing loose permissions), rotate.
 *
 * Writes go to a 0600 temporary file in the same directory, are fsynced, then linked (create) or
 * renamed (save) into place, so a crash never leaves a half-written key file. The mode is verified
 * after writing. Callers serialize saves (one server process owns the file).
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../shared/errors.js';
import { generateKeyRing } from './keyring.js';
import type { KeyRing } from './keyring.js';
import { keyRingFromDocument, keyRingToDocument, parseJson } from './keyring-document.js';

const FILE_MODE = 0o600;
const CHECK_MODE = process.platform !== 'win32';

/**
 * Loads the key ring from `path`. Throws `internal` (the server must refuse to start) when the file is
 * missing, not a regular file, readable or writable by group/others, or not a valid key ring document.
 */
export async function loadKeyRingFile(path: string): Promise<KeyRing> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error.code === 'ENOENT' ? 'the file does not exist' : `cannot open it (${error.code ?? 'error'})`);
  });
  let text: string;
  try {
    // Check the opened file itself (fstat), so the file cannot be swapped between check and read.
    checkPrivate(path, await handle.stat());
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  return keyRingFromDocument(parseJson(text, path), path);
}

/**
 * Creates a new key file at `path` holding a fresh ring (one random key, version 1), mode 0600.
 * Refuses to overwrite an existing file (`conflict`). Returns the new ring.
 */
export async function createKeyRingFile(path: string): Promise<KeyRing> {
  const ring = generateKeyRing();
  const tmp = await writeTemp(path, ring);
  try {
    await link(tmp, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new AppError('conflict', `Key file ${path} already exists; refusing to overwrite it`);
      throw fileError(path, `cannot create it (${error.code ?? 'error'})`);
    });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDirectory(path);
  await assertPrivateFile(path);
  return ring;
}

/** Atomically replaces the key file at `path` with `ring` (temp file + rename), mode 0600. */
export async function saveKeyRingFile(path: string, ring: KeyRing): Promise<void> {
  const tmp = await writeTemp(path, ring);
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw fileError(path, `cannot replace it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await syncDirectory(path);
  await assertPrivateFile(path);
}

/** Loads the ring at `path`, adds a new latest version, saves it atomically, and returns the rotated ring. */
export async function rotateKeyRingFile(path: string): Promise<KeyRing> {
  const ring = await loadKeyRingFile(path);
  ring.rotate();
  await saveKeyRingFile(path, ring);
  return ring;
}

/** Throws `internal` unless `path` (after symlinks) is a regular file with no group/other permission bits. */
export async function assertPrivateFile(path: string): Promise<void> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error.code === 'ENOENT' ? 'the file does not exist' : `cannot stat it (${error.code ?? 'error'})`);
  });
  checkPrivate(path, stats);
}

function checkPrivate(path: string, stats: Stats): void {
  if (!stats.isFile()) {
    throw fileError(path, 'it is not a regular file');
  }
  const mode = stats.mode & 0o777;
  if (CHECK_MODE && (mode & 0o077) !== 0) {
    throw fileError(path, `its mode is 0${mode.toString(8)}, so group/other users can access it; run: chmod 600 ${path}`);
  }
}

async function writeTemp(path: string, ring: KeyRing): Promise<string> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', FILE_MODE).catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, `cannot write next to it (${error.code ?? 'error'})`);
  });
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(`${JSON.stringify(keyRingToDocument(ring), null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw fileError(path, `cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  await handle.close();
  return tmp;
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r').catch(() => undefined);
  if (!dir) return;
  try {
    await dir.sync();
  } catch {
    // Some filesystems do not support fsync on directories; the rename itself is still atomic.
  } finally {
    await dir.close();
  }
}

function fileError(path: string, problem: string): AppError {
  return new AppError('internal', `Secrets key file ${path}: ${problem}`);
}
