import type { FsObjectStore } from '../../lake/fsObjectStore.js';
import { s3Error } from '../../lake/objectStoreErrors.js';
import { newRequestId } from '../../shared/ids.js';
import { type Logger, silentLogger } from '../../shared/logger.js';
import type { EdgeRequest, EdgeResponse, EdgeService } from '../edgeMessage.js';
import { listObjectsV2 } from './listObjectsV2.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './multipartOperations.js';
import { copyObject, getObject, putObject } from './objectOperations.js';
import { type S3Location, s3Location } from './s3Location.js';
import { asArray, element, malformedXml, s3ErrorResponse, toS3Error, xmlResponse, xmlRoot } from './s3Xml.js';

/** Query parameters that are options of an operation, not a sub-resource naming another operation. */
const OPTIONS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'partNumber',
  'uploadId',
  'uploads',
  'delete',
  'x-id',
  'location',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3ServiceOptions {
  readonly store: FsObjectStore;
  /** The app's Region: CreateBucket of an existing bucket answers 200 in us-east-1, 409 elsewhere. */
  readonly region: () => string;
  readonly endpoint: () => string;
  readonly logger?: Logger;
  /** Access control (the lake's grants): false answers AccessDenied before anything is read or written. */
  readonly allow?: (request: EdgeRequest, location: S3Location) => boolean;
}

/**
 * S3's REST-XML API on the local endpoint, path style and virtual-hosted style. Buckets: Create, Head, List,
 * Delete; objects: Put (aws-chunked, checksums, conditional), Get (Range), Head, Delete, DeleteObjects,
 * ListObjectsV2, Copy; multipart uploads. Anything else answers `NotImplemented` naming the operation, and is
 * logged. Signatures are not verified: any access key works in dev.
 */
export class S3Service implements EdgeService {
  readonly name = 's3';
  private readonly options: S3ServiceOptions;
  private readonly logger: Logger;

  constructor(options: S3ServiceOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  /** S3 is the endpoint's default: everything not claimed by a JSON-protocol service (which sends X-Amz-Target). */
  matches(request: EdgeRequest): boolean {
    return request.headers['x-amz-target'] === undefined;
  }

  async handle(request: EdgeRequest): Promise<EdgeResponse> {
    const requestId = newRequestId();
    const head = request.method === 'HEAD';
    if (this.options.allow !== undefined && !this.options.allow(request, s3Location(request)))
      return s3ErrorResponse('AccessDenied', 403, 'Access Denied', {}, requestId, head);
    try {
      const response = await this.route(request);
      return { ...response, headers: { 'x-amz-request-id': requestId, ...response.headers } };
    } catch (error) {
      return toS3Error(error, requestId, head);
    }
  }

  private async route(request: EdgeRequest): Promise<EdgeResponse> {
    const { store } = this.options;
    const { bucket, key } = s3Location(request);
    const subresource = [...request.query.keys()].find((name) => !OPTIONS.has(name));
    if (subresource !== undefined) return this.unsupported(request, `?${subresource}`);
    const q = request.query;
    const method = request.method;

    if (bucket === undefined) {
      if (method === 'GET') return this.listBuckets();
      return this.unsupported(request, '');
    }
    if (key === undefined) {
      if (method === 'PUT') return this.createBucket(bucket);
      if (method === 'HEAD')
        return store.hasBucket(bucket)
          ? { status: 200, headers: { 'x-amz-bucket-region': this.options.region() } }
          : { status: 404 };
      if (method === 'DELETE') return store.deleteBucket(bucket).then(() => ({ status: 204 }));
      if (method === 'GET' && q.get('list-type') === '2') return listObjectsV2(store, bucket, q);
      if (method === 'GET' && q.has('uploads')) return listMultipartUploads(store, bucket);
      if (method === 'GET' && q.has('location')) return this.bucketLocation(bucket);
      if (method === 'POST' && q.has('delete')) return this.deleteObjects(bucket, request);
      return this.unsupported(request, method === 'GET' ? ' (ListObjects v1: use ListObjectsV2)' : '');
    }
    if (method === 'PUT' && q.has('uploadId')) {
      if (request.headers['x-amz-copy-source'] !== undefined) return this.unsupported(request, ' (UploadPartCopy)');
      return uploadPart(store, bucket, key, request);
    }
    if (method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined)
      return copyObject(store, bucket, key, request);
    if (method === 'PUT') return putObject(store, bucket, key, request);
    if (method === 'GET' && q.has('uploadId')) return listParts(store, bucket, key, request);
    if (method === 'GET' || method === 'HEAD') return getObject(store, bucket, key, request, method === 'HEAD');
    if (method === 'DELETE' && q.has('uploadId')) return abortMultipartUpload(store, bucket, key, request);
    if (method === 'DELETE') return store.deleteObject(bucket, key).then(() => ({ status: 204 }));
    if (method === 'POST' && q.has('uploads')) return createMultipartUpload(store, bucket, key, request);
    if (method === 'POST' && q.has('uploadId'))
      return completeMultipartUpload(store, bucket, key, request, this.options.endpoint());
    return this.unsupported(request, '');
  }

  private createBucket(bucket: string): EdgeResponse {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..'))
      throw s3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
    const created = this.options.store.createBucket(bucket);
    if (!created && this.options.region() !== 'us-east-1') {
      throw s3Error(
        'BucketAlreadyOwnedByYou',
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  private listBuckets(): EdgeResponse {
    const buckets = this.options.store
      .listBuckets()
      .map(
        (b) =>
          `<Bucket>${element('Name', b.name)}${element('CreationDate', new Date(b.created).toISOString())}</Bucket>`,
      )
      .join('');
    return xmlResponse(
      'ListAllMyBucketsResult',
      `<Owner><ID>tributary</ID><DisplayName>tributary</DisplayName></Owner><Buckets>${buckets}</Buckets>`,
    );
  }

  private bucketLocation(bucket: string): EdgeResponse {
    if (!this.options.store.hasBucket(bucket))
      throw s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
    const region = this.options.region();
    return xmlResponse('LocationConstraint', region === 'us-east-1' ? '' : region);
  }

  /** DeleteObjects: up to 1,000 keys; a missing key counts as deleted, as on S3. */
  private async deleteObjects(bucket: string, request: EdgeRequest): Promise<EdgeResponse> {
    const xml = xmlRoot(request.body, 'Delete');
    const keys = asArray(xml.Object).map((o) => String((o as Record<string, unknown>).Key ?? ''));
    if (keys.length === 0 || keys.length > 1000) throw malformedXml();
    const quiet = String(xml.Quiet) === 'true';
    const results: string[] = [];
    for (const key of keys) {
      try {
        await this.options.store.deleteObject(bucket, key);
        if (!quiet) results.push(`<Deleted>${element('Key', key)}</Deleted>`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push(
          `<Error>${element('Key', key)}${element('Code', 'InternalError')}${element('Message', message)}</Error>`,
        );
      }
    }
    return xmlResponse('DeleteResult', results.join(''));
  }

  private unsupported(request: EdgeRequest, detail: string): EdgeResponse {
    const operation = `${request.method} ${request.path}${detail}`;
    this.logger.warn({ operation }, 'unsupported S3 operation');
    return s3ErrorResponse(
      'NotImplemented',
      501,
      `Tributary does not emulate the S3 operation ${operation}`,
      {},
      newRequestId(),
      request.method === 'HEAD',
    );
  }
}
