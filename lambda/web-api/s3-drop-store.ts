/** The drop bucket through the real S3 client: the store and presigner the page's API uses. */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DropStore, Presigner, StoredObject } from './web-files';

/** Presigned links live long enough to upload or download a big sheet, and no longer. */
export const LINK_LIFETIME_SECONDS = 300;

export function s3DropStore(s3: S3Client, bucket: string): DropStore & Presigner {
  return {
    async list(prefix) {
      const found: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? [])
          if (item.Key) found.push({ key: item.Key, lastModified: item.LastModified });
        token = page.NextContinuationToken;
      } while (token);
      return found;
    },
    async readText(key) {
      try {
        const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await answer.Body?.transformToString('utf-8');
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    uploadUrl(key, contentType) {
      return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
        expiresIn: LINK_LIFETIME_SECONDS,
      });
    },
    downloadUrl(key, fileName) {
      return getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${fileName.replace(/"/g, '')}"`,
          ResponseContentType: 'text/csv; charset=utf-8',
        }),
        { expiresIn: LINK_LIFETIME_SECONDS },
      );
    },
  };
}
