// undici ships one declaration file for its index; these say that its dispatcher modules export what the index
// re-exports under the same names (see undici.ts for why the core imports them one by one).
declare module 'undici/lib/dispatcher/agent' {
  import { Agent } from 'undici';
  export = Agent;
}
declare module 'undici/lib/dispatcher/proxy-agent' {
  import { ProxyAgent } from 'undici';
  export = ProxyAgent;
}
declare module 'undici/lib/dispatcher/pool' {
  import { Pool } from 'undici';
  export = Pool;
}
declare module 'undici/lib/dispatcher/client' {
  import { Client } from 'undici';
  export = Client;
}
declare module 'undici/lib/dispatcher/dispatcher' {
  import { Dispatcher } from 'undici';
  export = Dispatcher;
}
declare module 'undici/lib/core/connect' {
  import { buildConnector } from 'undici';
  export = buildConnector;
}
declare module 'undici/lib/core/errors' {
  import { errors } from 'undici';
  export = errors;
}
declare module 'undici/lib/api' {
  /** request, stream, pipeline, upgrade, connect: the methods undici's index puts on every dispatcher. */
  const api: Readonly<Record<'request' | 'stream' | 'pipeline' | 'upgrade' | 'connect', unknown>>;
  export = api;
}
