/** @module Blob stores: pick an implementation from a URL (`file:<dir>` or a plain directory path). */
import { FsBlobStore } from './fs/fs-blob-store.js';
import type { BlobStore } from './blob-store.js';

export type { BlobStore, BlobInfo } from './blob-store.js';
export { FsBlobStore };

export function openBlobStore(location: string): BlobStore {
  if (location.startsWith('s3://')) throw new Error('S3 blob storage is configured with --blob-url s3://bucket/prefix and the S3 settings; see README');
  return new FsBlobStore(location.startsWith('file:') ? location.slice('file:'.length) : location);
}
