// A stand-in for `cf ssh -L` and `kubectl port-forward` in the tunnel tests. It really forwards each
// 127.0.0.1:<childPort> to its target and misbehaves on request.
//
// Environment:
//   FAKE_TUNNEL_DIR      control directory; every start appends {tool,pid,argv} to spawns.log there.
//                        Files that appear in it at run time: `die` → exit 1; `fatal` → print its text (or
//                        kubectl's "error creating error stream" line) on stderr, keep running, forward
//                        nothing (both are removed once acted on, so a restarted fake runs normally);
//                        `blackhole` → accept new connections and never forward them (while it exists).
//                        `failstart` present at start → print its text (or a generic error) and exit 1.
//   FAKE_FAIL_LOGIN=1    print cf's (or kubectl's) not-logged-in error and exit 1 at start.
//   FAKE_DIE_AFTER=N     exit 1 when the Nth connection (probes included) arrives.
//   FAKE_IGNORE_SIGTERM=1 ignore SIGTERM, so only SIGKILL ends it.
//   FAKE_LIVENESS_PORT   hold a TCP connection to 127.0.0.1:<port> for as long as the process lives.
//   FAKE_KUBECTL_HOST    where kubectl forwards go (default 127.0.0.1; kubectl reaches a service, not a host).
import { appendFileSync, existsSync, readFileSync, rmSync, watch } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export function main(tool) {
  const argv = process.argv.slice(2);
  const dir = process.env.FAKE_TUNNEL_DIR;
  const control = (name) => (dir ? join(dir, name) : undefined);
  if (dir) appendFileSync(join(dir, 'spawns.log'), `${JSON.stringify({ tool, pid: process.pid, argv })}\n`);

  if (process.env.FAKE_FAIL_LOGIN === '1') {
    process.stderr.write(tool === 'cf' ? "FAILED\nNot logged in. Use 'cf login' to log in.\n" : 'error: You must be logged in to the server (Unauthorized)\n');
    process.exit(1);
  }
  const failstart = control('failstart');
  if (failstart && existsSync(failstart)) {
    process.stderr.write(`${readFileSync(failstart, 'utf8') || 'error: cannot start'}\n`);
    process.exit(1);
  }
  if (process.env.FAKE_IGNORE_SIGTERM === '1') process.on('SIGTERM', () => undefined);
  if (process.env.FAKE_LIVENESS_PORT) connect({ host: '127.0.0.1', port: Number(process.env.FAKE_LIVENESS_PORT) }).on('error', () => undefined);

  const forwards = tool === 'cf' ? cfForwards(argv) : kubectlForwards(argv);
  if (forwards.length === 0) {
    process.stderr.write(`${tool}: no forward in ${JSON.stringify(argv)}\n`);
    process.exit(2);
  }
  let connections = 0;
  let broken = false;
  const dieAfter = Number(process.env.FAKE_DIE_AFTER ?? 0);
  const held = [];

  const check = () => {
    if (!dir) return;
    if (existsSync(join(dir, 'die'))) {
      rmSync(join(dir, 'die'), { force: true });
      process.exit(1);
    }
    const fatal = join(dir, 'fatal');
    if (!broken && existsSync(fatal)) {
      broken = true;
      const first = forwards[0];
      const text = readFileSync(fatal, 'utf8').trim();
      rmSync(fatal, { force: true });
      process.stderr.write(
        `${text || `E1126 10:15:42.123456   ${process.pid} portforward.go:347] error creating error stream for port ${first.port} -> ${first.targetPort}: Timeout occurred`}\n`,
      );
    }
  };
  if (dir) {
    watch(dir, check).on('error', () => undefined);
    // inotify can miss an event on some file systems; a slow backstop keeps the fake honest.
    setInterval(check, 100);
  }

  for (const forward of forwards) {
    const server = createServer({ allowHalfOpen: true }, (client) => {
      connections += 1;
      if (tool === 'kubectl') process.stdout.write(`Handling connection for ${forward.port}\n`);
      if (dieAfter > 0 && connections >= dieAfter) process.exit(1);
      client.on('error', () => undefined);
      if (broken || (dir && existsSync(join(dir, 'blackhole')))) {
        held.push(client);
        return;
      }
      const upstream = connect({ host: forward.targetHost, port: forward.targetPort, allowHalfOpen: true });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(forward.port, forward.bind, () => {
      if (tool === 'kubectl') process.stdout.write(`Forwarding from ${forward.bind}:${forward.port} -> ${forward.targetPort}\n`);
    });
    server.on('error', (error) => {
      process.stderr.write(`${tool}: ${error.message}\n`);
      process.exit(1);
    });
  }
}

// cf ssh APP -N -T -L [bind:]port:host:hostport ...
function cfForwards(argv) {
  const forwards = [];
  argv.forEach((arg, index) => {
    if (arg !== '-L') return;
    const parts = String(argv[index + 1]).split(':');
    const [bind, port, targetHost, targetPort] = parts.length === 4 ? parts : ['127.0.0.1', ...parts];
    forwards.push({ bind, port: Number(port), targetHost, targetPort: Number(targetPort) });
  });
  return forwards;
}

// kubectl port-forward [--address=A] [flags] TYPE/NAME port:remote ...
function kubectlForwards(argv) {
  const address = argv.find((arg) => arg.startsWith('--address='))?.slice('--address='.length) ?? 'localhost';
  return argv
    .filter((arg) => /^\d+:\d+$/.test(arg))
    .map((arg) => {
      const [port, targetPort] = arg.split(':').map(Number);
      return { bind: address, port, targetHost: process.env.FAKE_KUBECTL_HOST ?? '127.0.0.1', targetPort };
    });
}
