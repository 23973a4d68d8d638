import { TributaryError } from '../shared/tributaryError.js';

/** An object-store failure with S3's error code and status, e.g. `s3Error('NoSuchKey', 404, '...')`. */
export function s3Error(
  code: string,
  status: number,
  message: string,
  fields: Record<string, string> = {},
): TributaryError {
  return new TributaryError('ERR_OBJECT_STORE', message, { aws: { type: code, status, fields } });
}

export const noSuchBucket = (bucket: string): TributaryError =>
  s3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string): TributaryError =>
  s3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

export const preconditionFailed = (condition: string): TributaryError =>
  s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
    Condition: condition,
  });

export const noSuchUpload = (uploadId: string): TributaryError =>
  s3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
