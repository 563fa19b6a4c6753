import api from 'undici/lib/api';
import Agent from 'undici/lib/dispatcher/agent';
import Client from 'undici/lib/dispatcher/client';
import Dispatcher from 'undici/lib/dispatcher/dispatcher';
import Pool from 'undici/lib/dispatcher/pool';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent';
import buildConnector from 'undici/lib/core/connect';
import errors from 'undici/lib/core/errors';

/**
 * undici's dispatchers, each from its own module. The package index also loads fetch, WebSocket, EventSource, its
 * caches and mocks, none of which the core uses: 0.55 MB of the CLI bundle and about 17 ms of every `btp-connect`
 * start (issue 18). Types are undici's own; `undiciModules.d.ts` maps the modules to them.
 */
// What the index does first: every dispatcher gets request(), stream(), pipeline(), upgrade() and connect().
Object.assign(Dispatcher.prototype, api);

export { Agent, Client, Dispatcher, Pool, ProxyAgent, buildConnector, errors };
