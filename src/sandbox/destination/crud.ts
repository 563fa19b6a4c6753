import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pemCertificateBlocks } from '../../core/certificates/certificateFiles';
import { publicPartOf } from '../../core/certificates/publicPart';
import { header, readBody, sendEmpty, sendJson } from '../http/respond';
import type { Caller } from './auth';
import { errorBody, notFoundBody } from './errors';
import { matchesFilter, parseListQuery, type NameFilter } from './listQuery';
import { certificateRules, destinationRules, fragmentRules, type Rules } from './serviceRules';
import { etagMatches, type Collection, type DestinationStore, type OperationResult, type Scope, type StoreOperation } from './store';

export type CollectionKind = 'Destinations' | 'Certificates' | 'DestinationFragments';

interface CollectionSpec {
  readonly collection: Collection;
  readonly nameField: string;
  readonly rules: Rules;
  readonly filters: readonly NameFilter['kind'][];
  readonly notFound: { ErrorMessage: string };
  readonly exists: string;
}

const specs: Record<CollectionKind, CollectionSpec> = {
  Destinations: {
    collection: 'destinations',
    nameField: 'Name',
    rules: destinationRules,
    filters: ['in', 'startswith', 'endswith', 'modifiedwithin'],
    notFound: notFoundBody,
    exists: 'Configuration with the specified name already exists',
  },
  Certificates: {
    collection: 'certificates',
    nameField: 'Name',
    rules: certificateRules,
    filters: ['in'],
    notFound: errorBody('Certificate with the specified name was not found'),
    exists: 'Certificate with the specified name already exists',
  },
  DestinationFragments: {
    collection: 'fragments',
    nameField: 'FragmentName',
    rules: fragmentRules,
    filters: ['in', 'startswith', 'endswith'],
    notFound: errorBody('Fragment with the specified name was not found'),
    exists: 'Fragment with the specified name already exists',
  },
};

export interface CollectionRequest {
  readonly caller: Caller;
  readonly level: 'subaccount' | 'instance';
  readonly kind: CollectionKind;
  readonly name?: string;
  readonly publicKeys?: boolean;
  readonly query: URLSearchParams;
  /** Path of the collection as the client addressed it, for `Link` headers, e.g. `/subaccountDestinations`. */
  readonly collectionPath: string;
}

/** CRUD on `/v1/{subaccount|instance}{Destinations|Certificates|DestinationFragments}[/{name}]` (spec §3.1). */
export async function handleCollection(req: IncomingMessage, res: ServerResponse, request: CollectionRequest, store: DestinationStore): Promise<void> {
  const spec = specs[request.kind];
  const scope: Scope =
    request.level === 'instance' ? { tenantId: request.caller.tenant.id, instanceId: request.caller.instanceId } : { tenantId: request.caller.tenant.id };
  const method = req.method ?? 'GET';
  if (request.name !== undefined) {
    if (method === 'GET') return getOne(req, res, store, scope, spec, request);
    if (method === 'DELETE') return deleteOne(req, res, store, scope, spec, request.name);
    return sendJson(res, 405, errorBody(`${method} is not supported on a single ${request.kind} resource; use PUT on the collection`));
  }
  if (method === 'GET') return list(res, store, scope, spec, request);
  if (method === 'POST' || method === 'PUT') return write(req, res, store, scope, spec, method);
  if (method === 'DELETE') return deleteMany(res, store, scope, spec, request.query);
  sendJson(res, 405, errorBody(`${method} is not supported`));
}

function getOne(req: IncomingMessage, res: ServerResponse, store: DestinationStore, scope: Scope, spec: CollectionSpec, request: CollectionRequest): void {
  const entry = store.get(scope, spec.collection, request.name ?? '');
  if (!entry) return sendJson(res, 404, spec.notFound);
  if (request.publicKeys) return sendJson(res, 200, publicKeysOf(entry.value));
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch && etagMatches(ifNoneMatch, entry.etag)) return sendEmpty(res, 304, { etag: entry.etag });
  const ifMatch = header(req, 'if-match');
  if (ifMatch && !etagMatches(ifMatch, entry.etag))
    return sendJson(res, 412, errorBody('The ETag does not match: the resource was changed'), { etag: entry.etag });
  sendJson(res, 200, entry.value, { etag: entry.etag });
}

async function deleteOne(req: IncomingMessage, res: ServerResponse, store: DestinationStore, scope: Scope, spec: CollectionSpec, name: string): Promise<void> {
  const [result] = await store.apply([{ kind: 'delete', scope, collection: spec.collection, name, ifMatch: header(req, 'if-match') }]);
  if (result?.outcome === 'not_found') return sendJson(res, 404, spec.notFound);
  if (result?.outcome === 'precondition_failed') return sendJson(res, 412, errorBody('The ETag does not match: the resource was changed'));
  sendJson(res, 200, { Count: 1 });
}

function list(res: ServerResponse, store: DestinationStore, scope: Scope, spec: CollectionSpec, request: CollectionRequest): void {
  const parsed = parseListQuery(request.query, spec.filters);
  if (!parsed.ok) return sendJson(res, 400, errorBody(parsed.error));
  const query = parsed.value;
  const entries = store.list(scope, spec.collection);
  if (query.mode === 'select')
    return sendJson(
      res,
      200,
      entries.map(([name]) => ({ [spec.nameField]: name })),
    );
  if (query.mode === 'page') {
    const pageCount = Math.max(1, Math.ceil(entries.length / query.pageSize));
    const slice = entries.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
    const link = (page: number, rel: string) => `<${request.collectionPath}?$page=${page}&$pageSize=${query.pageSize}>; rel='${rel}'`;
    const links = [...(query.page > 1 ? [link(query.page - 1, 'previous')] : []), ...(query.page < pageCount ? [link(query.page + 1, 'next')] : [])];
    const headers: Record<string, string> = {
      ...(query.pageCount ? { 'page-count': String(pageCount) } : {}),
      ...(query.entityCount ? { 'entity-count': String(entries.length) } : {}),
      ...(links.length > 0 ? { link: links.join(', ') } : {}),
    };
    return sendJson(
      res,
      200,
      slice.map(([, entry]) => entry.value),
      headers,
    );
  }
  const now = Date.now();
  const body = entries
    .filter(([name, entry]) => matchesFilter(query.filter, name, entry.modifiedAt, now))
    .map(([, entry]) => {
      if (query.metadata.length === 0) return entry.value;
      const metadata: Record<string, string> = {};
      if (query.metadata.includes('modification_time')) metadata.modification_time = new Date(entry.modifiedAt).toISOString();
      if (query.metadata.includes('etag')) metadata.etag = entry.etag;
      return { ...entry.value, $metadata: metadata };
    });
  sendJson(res, 200, body);
}

async function write(
  req: IncomingMessage,
  res: ServerResponse,
  store: DestinationStore,
  scope: Scope,
  spec: CollectionSpec,
  method: 'POST' | 'PUT',
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return sendJson(res, 400, errorBody('The request body is not valid JSON'));
  }
  const bulk = Array.isArray(body);
  const items: unknown[] = bulk ? (body as unknown[]) : [body];
  if (items.length === 0) return sendJson(res, 400, errorBody('The request body is an empty array'));
  const problems: OperationResult[] = [];
  const operations: StoreOperation[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      if (!bulk) return sendJson(res, 400, errorBody('The request body must be a JSON object or an array of objects'));
      problems.push({ name: '', outcome: 'not_found' });
      continue;
    }
    const record = item as Record<string, unknown>;
    const problem = spec.rules(record);
    if (problem) {
      if (!bulk) return sendJson(res, 400, errorBody(problem));
      problems.push({ name: String(record[spec.nameField] ?? ''), outcome: 'not_found', etag: problem });
      continue;
    }
    const value = record as Record<string, string>;
    const ifMatch = bulk ? undefined : header(req, 'if-match');
    operations.push({ kind: method === 'POST' ? 'create' : 'update', scope, collection: spec.collection, name: value[spec.nameField] ?? '', value, ifMatch });
  }
  const results = await store.apply(operations);
  if (!bulk) {
    const outcome = results[0]?.outcome;
    if (outcome === 'exists') return sendJson(res, 409, errorBody(spec.exists));
    if (outcome === 'not_found') return sendJson(res, 404, spec.notFound);
    if (outcome === 'precondition_failed') return sendJson(res, 412, errorBody('The ETag does not match: the resource was changed'));
    const etag = results[0]?.etag ?? '';
    return method === 'POST' ? sendEmpty(res, 201, { etag }) : sendJson(res, 200, { Count: 1 }, { etag });
  }
  const summary = [
    ...problems.map((problem) => ({ name: problem.name, status: 400, cause: problem.etag ?? 'Not a JSON object' })),
    ...results.map((result) => summaryOf(result)),
  ];
  const allOk = summary.every((item) => item.status < 300);
  sendJson(res, allOk ? (method === 'POST' ? 201 : 200) : 207, summary);
}

function summaryOf(result: OperationResult): { name: string; status: number; etag?: string; cause?: string } {
  switch (result.outcome) {
    case 'created':
      return { name: result.name, status: 201, etag: result.etag ?? '' };
    case 'updated':
      return { name: result.name, status: 200, etag: result.etag ?? '' };
    case 'exists':
      return { name: result.name, status: 409, cause: 'Configuration with the specified name already exists' };
    case 'not_found':
      return { name: result.name, status: 404, cause: notFoundBody.ErrorMessage };
    default:
      return { name: result.name, status: 412, cause: 'The ETag does not match' };
  }
}

async function deleteMany(res: ServerResponse, store: DestinationStore, scope: Scope, spec: CollectionSpec, query: URLSearchParams): Promise<void> {
  const parsed = parseListQuery(query, ['in']);
  if (!parsed.ok) return sendJson(res, 400, errorBody(parsed.error));
  const filter = parsed.value.mode === 'default' ? parsed.value.filter : undefined;
  if (filter?.kind !== 'in') return sendJson(res, 400, errorBody("Deleting several resources needs $filter=Name in ('a','b')"));
  const results = await store.apply(filter.names.map((name) => ({ kind: 'delete' as const, scope, collection: spec.collection, name })));
  const summary = results.map((result) =>
    result.outcome === 'deleted' ? { name: result.name, status: 'DELETED' } : { name: result.name, status: 'NOT_FOUND', reason: spec.notFound.ErrorMessage },
  );
  sendJson(res, 200, { Count: summary.filter((item) => item.status === 'DELETED').length, Summary: summary });
}

/**
 * `/{name}/publicKeys`: the public key and subject of every certificate that can be read without a password (PEM,
 * CER/CRT, and the certificates of a JKS, with their aliases); a PKCS#12 keystore's are encrypted, so none.
 */
function publicKeysOf(certificate: Readonly<Record<string, string>>): { Content: string; SubjectDN: string; Alias?: string }[] {
  try {
    const part = publicPartOf({ Name: certificate.Name ?? '', Content: certificate.Content ?? '' });
    if (part.kind === 'locked') return [];
    return pemCertificateBlocks(part.pem).map((block, index) => {
      const parsed = new X509Certificate(block);
      const alias = part.certificates[index]?.alias;
      return {
        Content: parsed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        SubjectDN: parsed.subject.split('\n').join(', '),
        ...(alias === undefined ? {} : { Alias: alias }),
      };
    });
  } catch {
    return [];
  }
}
