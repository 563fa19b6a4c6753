import { BtpError, ErrorCode } from '../errors';

/** SAP's meaning of each SOCKS5 reply code (spec §5.2), turned into an error that names the fix. */
export function socksReplyError(reply: number, target: { host: string; port: number }, locationId: string | undefined): BtpError {
  const system = `${target.host}:${target.port}`;
  const location = locationId ? `location ID "${locationId}"` : 'no location ID';
  const details = { socksReply: reply, target: system };
  switch (reply) {
    case 0x02:
      return new BtpError(
        ErrorCode.NotExposed,
        `The Cloud Connector does not expose ${system} (SOCKS5 reply 0x02): add it under Cloud To On-Premise > Access Control with protocol TCP, virtual host "${target.host}" and port ${target.port}.`,
        { details },
      );
    case 0x03:
      return new BtpError(
        ErrorCode.NoCloudConnector,
        `No Cloud Connector is connected for this subaccount with ${location} (SOCKS5 reply 0x03): check that it is connected and that the destination's CloudConnectorLocationId matches its location ID.`,
        { details },
      );
    case 0x04:
      return new BtpError(
        ErrorCode.BackendUnreachable,
        `The Cloud Connector could not reach the system behind ${system} (SOCKS5 reply 0x04): check the internal host and port of its access-control entry and that the system is up.`,
        { details },
      );
    case 0x05:
      return new BtpError(
        ErrorCode.ConnectivityAuthRejected,
        'The connectivity proxy refused the token (SOCKS5 authentication failed): the token must come from the connectivity service binding of this subaccount.',
        { details },
      );
    case 0x07:
      return new BtpError(ErrorCode.ProtocolError, 'The connectivity proxy supports only SOCKS5 CONNECT (reply 0x07).', { details });
    case 0x08:
      return new BtpError(ErrorCode.ProtocolError, `The connectivity proxy supports only IPv4 addresses and host names, not ${target.host} (reply 0x08).`, {
        details,
      });
    default:
      return new BtpError(
        ErrorCode.BackendUnreachable,
        `The connectivity proxy failed to open ${system} (SOCKS5 reply 0x${reply.toString(16).padStart(2, '0')}).`,
        { details },
      );
  }
}
