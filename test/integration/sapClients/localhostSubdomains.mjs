// Preloaded (`node --import`) into the approuter child only: makes `<subdomain>.localhost` resolve to 127.0.0.1,
// which is what a hosts entry `127.0.0.1 provider.localhost` would do (spec §2.3: the approuter fetches tenant
// tokens at `https://<identityzone>.<uaadomain>`). It changes name resolution only, not the approuter's code; this
// machine's resolver does not map `*.localhost` to loopback and /etc/hosts is not ours to edit.
import dns from 'node:dns';

const systemLookup = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  const settings = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {});
  if (typeof hostname === 'string' && hostname.toLowerCase().endsWith('.localhost')) {
    if (settings.all) process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(done, null, '127.0.0.1', 4);
    return undefined;
  }
  return systemLookup.call(this, hostname, options, callback);
};
