import { forwardOptionSpecs, forwardUsage, parseForwardRequest } from '../forwardOptions';
import { announceTunnel, printForwards, recordHar, watchForwards } from '../forwardReport';
import { withConnection } from '../openConnection';
import type { Command } from '../command';
import { ExitCode } from '../exitCodes';

/** Parse → open the connection → start the forwards → print, until Ctrl-C; the runtime closes it all. */
export const forwardCommand: Command = {
  name: 'forward',
  summary: 'Forward local ports to destinations (auth injected; OnPremise through the connectivity proxy)',
  usage: forwardUsage,
  options: forwardOptionSpecs,
  async run(values, positionals, io) {
    const request = parseForwardRequest(values, positionals, io.env);
    return withConnection(values, io, request, async (connection) => {
      announceTunnel(io, connection, request.tunnel !== undefined);
      const started = await connection.runtime.startForwards(request.specs);
      const har = request.har === undefined ? undefined : recordHar(connection.runtime.forwards, started);
      printForwards(io, connection, started);
      watchForwards(io, connection, request.verbose);
      await io.untilStopped();
      if (har && request.har !== undefined) await har.write(io, request.har);
      return ExitCode.Ok;
    });
  },
};
