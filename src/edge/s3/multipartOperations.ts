import type { FsObjectStore } from '../../lake/fsObjectStore.js';
import { s3Error } from '../../lake/objectStoreErrors.js';
import type { EdgeRequest, EdgeResponse } from '../edgeMessage.js';
import { putOptionsFrom } from './objectHeaders.js';
import { checksumHeaders, verifiedBody } from './requestBody.js';
import { asArray, element, xmlResponse, xmlRoot } from './s3Xml.js';

const MAX_PARTS = 10_000;

export function createMultipartUpload(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
): EdgeResponse {
  const uploadId = store.createUpload(bucket, key, putOptionsFrom(request.headers));
  return xmlResponse(
    'InitiateMultipartUploadResult',
    `${element('Bucket', bucket)}${element('Key', key)}${element('UploadId', uploadId)}`,
  );
}

export async function uploadPart(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const partNumber = Number(request.query.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    throw s3Error('InvalidArgument', 400, `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`);
  }
  const { body, checksums } = verifiedBody(request);
  const etag = await store.uploadPart(request.query.get('uploadId') ?? '', bucket, key, partNumber, body);
  return { status: 200, headers: { etag, ...checksumHeaders(checksums) } };
}

export async function completeMultipartUpload(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
  endpoint: string,
): Promise<EdgeResponse> {
  const xml = xmlRoot(request.body, 'CompleteMultipartUpload');
  const parts = asArray(xml.Part).map((p) => {
    const part = p as Record<string, unknown>;
    return { partNumber: Number(part.PartNumber), etag: String(part.ETag ?? '') };
  });
  const meta = await store.completeUpload(request.query.get('uploadId') ?? '', bucket, key, parts);
  return xmlResponse(
    'CompleteMultipartUploadResult',
    `${element('Location', `${endpoint}/${bucket}/${key}`)}${element('Bucket', bucket)}${element('Key', key)}${element('ETag', meta.etag)}`,
  );
}

export async function abortMultipartUpload(
  store: FsObjectStore,
  bucket: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  await store.abortUpload(request.query.get('uploadId') ?? '', bucket, key);
  return { status: 204 };
}

export function listParts(store: FsObjectStore, bucket: string, key: string, request: EdgeRequest): EdgeResponse {
  const uploadId = request.query.get('uploadId') ?? '';
  const parts = store.listParts(uploadId, bucket, key);
  const inner = parts
    .map(
      (p) => `<Part>${element('PartNumber', p.partNumber)}${element('ETag', p.etag)}${element('Size', p.size)}</Part>`,
    )
    .join('');
  return xmlResponse(
    'ListPartsResult',
    `${element('Bucket', bucket)}${element('Key', key)}${element('UploadId', uploadId)}${element('IsTruncated', false)}${inner}`,
  );
}

export function listMultipartUploads(store: FsObjectStore, bucket: string): EdgeResponse {
  const uploads = store
    .listUploads(bucket)
    .map(
      (u) =>
        `<Upload>${element('Key', u.key)}${element('UploadId', u.id)}${element('Initiated', new Date(u.initiated).toISOString())}</Upload>`,
    )
    .join('');
  return xmlResponse(
    'ListMultipartUploadsResult',
    `${element('Bucket', bucket)}${element('IsTruncated', false)}${uploads}`,
  );
}
