import type { FsObjectStore } from './fsObjectStore.js';

/** Where delivery streams write objects: the local object store, or any S3-compatible endpoint. */
export interface ObjectSink {
  /** Creates the bucket if it does not exist. */
  ensureBucket(bucket: string): Promise<void>;
  /** Writes the object atomically: a reader sees all of it or none. */
  put(bucket: string, key: string, body: Buffer): Promise<void>;
}

/** The local directory (the default): FsObjectStore writes aside and renames. */
export class LocalObjectSink implements ObjectSink {
  private readonly store: FsObjectStore;

  constructor(store: FsObjectStore) {
    this.store = store;
  }

  async ensureBucket(bucket: string): Promise<void> {
    this.store.createBucket(bucket);
  }

  async put(bucket: string, key: string, body: Buffer): Promise<void> {
    await this.store.putObject(bucket, key, body, { contentType: 'application/octet-stream' });
  }
}
