import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FsObjectStore } from './fsObjectStore.js';

/** Where delivery streams write objects: the local object store, or any S3-compatible endpoint. */
export interface ObjectSink {
  /** Creates the bucket if it does not exist. */
  ensureBucket(bucket: string): Promise<void>;
  /** Writes the object atomically: a reader sees all of it or none. */
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** Releases connections (the local store is closed by its owner). */
  close?(): void;
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

/**
 * Any S3-compatible endpoint, through the AWS SDK's S3 client (credentials from the usual chain). A PutObject is
 * atomic on S3: readers see the whole object or none.
 */
export class S3ObjectSink implements ObjectSink {
  private readonly client: S3Client;

  constructor(options: { endpoint?: string; region: string; forcePathStyle: boolean }) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    });
  }

  async ensureBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        // Another writer may have created it meanwhile.
        if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
      }
    }
  }

  async put(bucket: string, key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  close(): void {
    this.client.destroy();
  }
}
