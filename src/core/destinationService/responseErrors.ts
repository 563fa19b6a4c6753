import { BtpError, ErrorCode } from '../errors';
import type { HttpResponse } from '../http/request';

/** What the client was doing, for messages: "reading destination "x" at subaccount level". */
export interface Operation {
  readonly action: string;
  readonly subject: string;
}

/** The service's own message: `{"ErrorMessage": ...}`, else the text (shortened). */
export function serviceMessageOf(response: HttpResponse): string | undefined {
  try {
    const body: unknown = JSON.parse(response.text);
    if (typeof body === 'object' && body !== null && typeof (body as { ErrorMessage?: unknown }).ErrorMessage === 'string') {
      return (body as { ErrorMessage: string }).ErrorMessage;
    }
  } catch {
    // not JSON: fall through to the text
  }
  const text = response.text.trim();
  return text ? text.slice(0, 500) : undefined;
}

/** Maps a non-2xx answer to a coded error that says what failed, the service's words, and what to do. */
export function responseError(response: HttpResponse, operation: Operation): BtpError {
  const serviceMessage = serviceMessageOf(response);
  const status = response.status;
  const what = `${operation.action} ${operation.subject}`;
  const said = serviceMessage ? ` The service said: ${serviceMessage}` : '';
  const options = { status, serviceMessage };
  switch (status) {
    case 400:
      return new BtpError(ErrorCode.BadRequest, `The Destination service refused ${what} as malformed (400).${said}`, options);
    case 401:
      return new BtpError(
        ErrorCode.Unauthorized,
        `The Destination service did not accept the token while ${what} (401). The service key may have been deleted or rotated: connect again with a fresh key.${said}`,
        options,
      );
    case 403:
      return new BtpError(
        ErrorCode.Forbidden,
        `The token has no access to ${operation.subject} (403): the service key must belong to a Destination service instance of this subaccount.${said}`,
        options,
      );
    case 404:
      return new BtpError(ErrorCode.NotFound, `${capitalise(operation.subject)} was not found (404).${said}`, options);
    case 409:
      return new BtpError(
        ErrorCode.AlreadyExists,
        `${capitalise(operation.subject)} exists already (409); update it instead, or pick another name.${said}`,
        options,
      );
    case 412:
      return new BtpError(
        ErrorCode.Conflict,
        `${capitalise(operation.subject)} was changed by someone else since it was read (412); reload it and apply your change again.${said}`,
        options,
      );
    default:
      return new BtpError(ErrorCode.ServiceError, `The Destination service failed while ${what} (${status}).${said}`, options);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
