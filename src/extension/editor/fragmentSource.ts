import { DestinationServiceClient } from '../../core/destinationService/client';
import type { DestinationLevel, DestinationRecord, WithEtag } from '../../core/destinationService/types';
import { BtpError, ErrorCode } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { DestinationSource } from '../../core/destinationService/source';

/** What an editor document does with the service: the same calls for destinations and fragments. */
export type EditorSource = Pick<DestinationSource, 'get' | 'create' | 'update' | 'renameAndUpdate' | 'listCertificates'>;

/**
 * The fragment calls of the Destination service in the shape of the destination ones, so that one editor document
 * serves both. A rename is create-then-delete, as for destinations (the service has no rename); a failed delete
 * removes the new copy again.
 */
export function fragmentSource(client: DestinationSource, logger: Logger): EditorSource {
  if (!(client instanceof DestinationServiceClient)) {
    throw new BtpError(ErrorCode.Unsupported, "Destinations of this machine have no fragments; fragments live in a subaccount's Destination service.", {
      field: 'connection',
    });
  }
  const save = (level: DestinationLevel, fragment: unknown, options: { update?: boolean; etag?: string | undefined } = {}) =>
    client.saveFragment(level, fragment, options);
  return {
    get: (level: DestinationLevel, name: string): Promise<WithEtag<DestinationRecord>> => client.getFragment(level, name),
    create: (level: DestinationLevel, fragment: unknown) => save(level, fragment),
    update: (level: DestinationLevel, fragment: unknown, options: { etag?: string | undefined } = {}) => save(level, fragment, { update: true, ...options }),
    async renameAndUpdate(level: DestinationLevel, from: string, fragment: unknown, options: { etag?: string | undefined } = {}) {
      const current = await client.getFragment(level, from);
      if (options.etag && current.etag && options.etag !== current.etag) {
        throw new BtpError(ErrorCode.Conflict, `Fragment "${from}" was changed by someone else since it was read; reload it before renaming.`, { status: 412 });
      }
      const created = await save(level, fragment);
      try {
        await client.deleteFragment(level, from);
      } catch (error) {
        const name = (fragment as DestinationRecord).FragmentName ?? '';
        await client.deleteFragment(level, name).catch((cleanup: unknown) => logger.error(`rename rollback of fragment "${name}" failed`, cleanup));
        throw error;
      }
      return created;
    },
    listCertificates: (level: DestinationLevel) => client.listCertificates(level),
  };
}
