/**
 * Why the client would not fetch, or stopped fetching, a file link. Messages name the host,
 * never the whole link: a signed link is a credential. The loaders turn these into the
 * gateway's DOWNLOAD_REFUSED / DOWNLOAD_TOO_LARGE errors on the field that asked.
 */
export type DownloadErrorCode = 'DOWNLOAD_REFUSED' | 'DOWNLOAD_TOO_LARGE';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export const downloadRefused = (message: string): DownloadError => new DownloadError('DOWNLOAD_REFUSED', message);
