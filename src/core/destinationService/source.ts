import type { DestinationServiceClient } from './client';

/**
 * What the tree, the editor and forwards need of a place destinations live: the Destination service (through
 * its client) or the local store of imported destinations. Same calls, same error codes.
 */
export type DestinationSource = Pick<
  DestinationServiceClient,
  'list' | 'get' | 'find' | 'create' | 'update' | 'renameAndUpdate' | 'delete' | 'listCertificates' | 'createCertificate'
>;
