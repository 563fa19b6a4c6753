import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { badRequest, codes, GatewayError } from './errors';
import { errorResponse, type ODataRequest, type ODataResponse, type ODataService } from './service';

/**
 * `$batch` of OData V2 (multipart/mixed): query parts run one by one; a change set (a nested multipart/mixed of
 * writes) is atomic: when one of its changes fails, the set is rolled back and answered by that failure alone, as
 * SAP Gateway does; a change may address what an earlier one of its set created as `$<Content-ID>`. The answer is
 * 202 with a multipart/mixed body in the same order.
 */

interface Part {
  readonly headers: Map<string, string>;
  readonly body: string;
}

export function executeBatch(
  service: ODataService,
  contentType: string,
  body: string,
  context: Pick<ODataRequest, 'serviceRoot' | 'user'> & { servicePath: string },
): ODataResponse {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw badRequest('The $batch request needs Content-Type multipart/mixed with a boundary', codes.batch);
  const out: string[] = [];
  const responseBoundary = `batch_${randomBytes(8).toString('hex')}`;
  for (const part of splitMultipart(body, boundary)) {
    const partType = part.headers.get('content-type') ?? '';
    const changeSetBoundary = boundaryOf(partType);
    if (changeSetBoundary) {
      out.push(changeSet(service, splitMultipart(part.body, changeSetBoundary), context));
      continue;
    }
    const request = parseHttpPart(part, context);
    const response = request.method === 'GET' ? service.execute(request) : errorResponse(badRequest('Only GET is allowed outside a change set', codes.batch));
    out.push(httpPart(response));
  }
  const text = out.map((part) => `--${responseBoundary}\r\n${part}\r\n`).join('') + `--${responseBoundary}--\r\n`;
  return { status: 202, headers: { 'content-type': `multipart/mixed; boundary=${responseBoundary}`, dataserviceversion: '2.0' }, body: text };
}

function changeSet(service: ODataService, parts: Part[], context: Pick<ODataRequest, 'serviceRoot' | 'user'> & { servicePath: string }): string {
  const restore = service.store.snapshot();
  const responses: { response: ODataResponse; contentId: string | undefined }[] = [];
  // `$<Content-ID>` at the start of a later change's URL stands for the entity an earlier change created.
  const created = new Map<string, string>();
  for (const part of parts) {
    const request = parseHttpPart(part, context, created);
    const response = request.method === 'GET' ? errorResponse(badRequest('GET is not allowed in a change set', codes.batch)) : service.execute(request);
    if (response.status >= 400) {
      restore();
      return httpPart(response);
    }
    const contentId = part.headers.get('content-id') ?? contentIdOf(part);
    const location = response.headers.location;
    if (contentId && location?.startsWith(`${context.serviceRoot}/`)) created.set(contentId, location.slice(context.serviceRoot.length + 1));
    responses.push({ response, contentId });
  }
  const boundary = `changeset_${randomBytes(8).toString('hex')}`;
  const body = responses.map(({ response, contentId }) => `--${boundary}\r\n${httpPart(response, contentId)}\r\n`).join('') + `--${boundary}--`;
  return `Content-Type: multipart/mixed; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The Content-ID a client may put in the inner request's headers instead of the part's. */
function contentIdOf(part: Part): string | undefined {
  return /^content-id:\s*(.+)$/im.exec(part.body.split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim();
}

function httpPart(response: ODataResponse, contentId?: string): string {
  const head = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(response.body)}`,
  ].join('\r\n');
  const inner = `${head}\r\n\r\n${response.body}`;
  return (
    [
      'Content-Type: application/http',
      `Content-Length: ${Buffer.byteLength(inner)}`,
      'content-transfer-encoding: binary',
      ...(contentId ? [`Content-ID: ${contentId}`] : []),
    ].join('\r\n') + `\r\n\r\n${inner}`
  );
}

function boundaryOf(contentType: string): string | undefined {
  if (!/^\s*multipart\/mixed\b/i.test(contentType)) return undefined;
  return /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)?.slice(1).find(Boolean);
}

function splitMultipart(body: string, boundary: string): Part[] {
  const delimiter = `--${boundary}`;
  const end = body.indexOf(`${delimiter}--`);
  if (end < 0) throw badRequest('The multipart body has no closing boundary', codes.batch);
  const sections = body.slice(0, end).split(delimiter).slice(1);
  return sections.map((section) => {
    const text = section.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '');
    const split = /\r?\n\r?\n/.exec(text);
    const headerText = split ? text.slice(0, split.index) : text;
    const headers = new Map<string, string>();
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { headers, body: split ? text.slice(split.index + split[0].length) : '' };
  });
}

/** The request inside an `application/http` part; its URL is relative to the service root, or an absolute path or URL. */
function parseHttpPart(
  part: Part,
  context: Pick<ODataRequest, 'serviceRoot' | 'user'> & { servicePath: string },
  created: ReadonlyMap<string, string> = new Map(),
): ODataRequest {
  const split = /\r?\n\r?\n/.exec(part.body);
  const head = split ? part.body.slice(0, split.index) : part.body;
  const body = split ? part.body.slice(split.index + split[0].length).replace(/\r?\n$/, '') : '';
  const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
  const match = /^(GET|POST|PUT|PATCH|MERGE|DELETE)\s+(\S+)\s+HTTP\/1\.[01]$/.exec(requestLine.trim());
  if (!match) throw new GatewayError(400, codes.batch, `Invalid request line in $batch part: '${requestLine}'`);
  const url = new URL(match[2] as string, `${context.serviceRoot}/`);
  let path = url.pathname;
  const root = new URL(context.serviceRoot).pathname;
  if (path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  else if (path.startsWith(`${context.servicePath}/`)) path = path.slice(context.servicePath.length + 1);
  else path = path.replace(/^\//, '');
  let method = match[1] as string;
  const tunnelled = headerLines.find((line) => /^x-http-method:/i.test(line));
  if (method === 'POST' && tunnelled)
    method = tunnelled
      .slice(tunnelled.indexOf(':') + 1)
      .trim()
      .toUpperCase();
  path = decodeURIComponent(path);
  const reference = /^\$([^/]+)(.*)$/.exec(path);
  if (reference && created.has(reference[1] as string)) path = `${created.get(reference[1] as string) as string}${reference[2] as string}`;
  return { method, path, query: url.searchParams, body, serviceRoot: context.serviceRoot, user: context.user };
}
