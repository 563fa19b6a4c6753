import { parseSubscriberTenant, tenantText } from '../../core/connections/subscriberTenant';
import { BtpError, ErrorCode } from '../../core/errors';
import type { Command } from '../command';
import { connectionStore } from '../context';
import { ExitCode } from '../exitCodes';
import { line } from '../io';

export const tenantCommand: Command = {
  name: 'tenant',
  summary: 'Make a saved connection act for a subscriber tenant (its destinations, sign-in, forwards, check), or the provider again',
  usage: `Usage: btp-connect tenant <connection> [<subdomain> | <tenant id> | --provider]

With a tenant, every command on the connection acts for that subscriber subaccount of your multi-tenant app:
\`ls\`, \`get\`, writes, \`forward\` and \`check\` see its destinations (never the provider's), the Destination service
token is taken in its zone (https://<subdomain>.<uaadomain>, or x-zid for an id), and \`login\` signs you in at its
subdomain. Changing the tenant signs the user of the connection out. Without an argument it shows the tenant.
\`forward --tenant\`, \`check --tenant\` and \`ls --tenant\` choose another tenant for one command.

  <subdomain>     the subscriber subaccount's subdomain, e.g. customer-a
  <tenant id>     its tenant (zone) id: a GUID, or id:<id> for any other form
  --provider      act for the provider (the subaccount of the connection's keys) again`,
  options: { provider: { type: 'boolean' } },
  async run(values, positionals, io) {
    const [name, choice, ...rest] = positionals;
    if (!name || rest.length > 0 || (choice !== undefined && values.provider === true)) {
      throw new BtpError(ErrorCode.InvalidInput, 'Name one saved connection and at most one tenant (or --provider), e.g. `tenant dev customer-a`.', {
        field: 'tenant',
      });
    }
    const store = connectionStore(io);
    if (choice === undefined && values.provider !== true) {
      await store.load(name); // an unknown connection is an error, not "the provider"
      const tenant = await store.tenant(name);
      line(io, tenant ? `"${name}" acts for the subscriber tenant ${tenantText(tenant)}.` : `"${name}" acts for the provider.`);
      return ExitCode.Ok;
    }
    const tenant = choice === undefined ? undefined : parseSubscriberTenant(choice);
    await store.setTenant(name, tenant);
    line(io, tenant ? `"${name}" now acts for the subscriber tenant ${tenantText(tenant)}.` : `"${name}" now acts for the provider.`);
    return ExitCode.Ok;
  },
};
