// A stand-in for `kubectl port-forward` whose forwarded connections all travel over one persistent upstream
// connection (kubectl multiplexes streams over its one API-server connection). When that connection is cut,
// e.g. by a load balancer's idle cutoff, it prints kubectl's "lost connection to pod" and exits, as kubectl does.
//
// Environment:
//   FAKE_MUX_UPSTREAM  host:port of the far side ("API server"); speaks the frames below.
//   FAKE_TUNNEL_DIR    every start appends {tool,pid,argv} to spawns.log there (as fakeTunnel.mjs does).
//
// Frames, one JSON object per line, both ways: {op:'open',id,port} (to the far side only), {op:'data',id,data}
// (base64), {op:'end',id} (FIN), {op:'close',id}.
import { appendFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export function main() {
  const argv = process.argv.slice(2);
  const dir = process.env.FAKE_TUNNEL_DIR;
  if (dir) appendFileSync(join(dir, 'spawns.log'), `${JSON.stringify({ tool: 'kubectl-mux', pid: process.pid, argv })}\n`);
  const [host, port] = String(process.env.FAKE_MUX_UPSTREAM ?? '').split(':');
  const address = argv.find((arg) => arg.startsWith('--address='))?.slice('--address='.length) ?? 'localhost';
  const forwards = argv.filter((arg) => /^\d+:\d+$/.test(arg)).map((arg) => arg.split(':').map(Number));
  if (!port || forwards.length === 0) {
    process.stderr.write(`kubectl-mux: need FAKE_MUX_UPSTREAM and a forward in ${JSON.stringify(argv)}\n`);
    process.exit(2);
  }

  const streams = new Map();
  let nextId = 1;
  const upstream = connect({ host, port: Number(port) });
  const send = (frame) => upstream.write(`${JSON.stringify(frame)}\n`);
  const lost = () => {
    process.stderr.write(`E1126 10:15:42.123456   ${process.pid} portforward.go:413] an error occurred forwarding: lost connection to pod\n`);
    process.exit(1);
  };
  upstream.on('error', lost).on('close', lost);

  let buffer = '';
  upstream.setEncoding('utf8');
  upstream.on('data', (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const frame = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      const local = streams.get(frame.id);
      if (!local) continue;
      if (frame.op === 'data') local.write(Buffer.from(frame.data, 'base64'));
      else if (frame.op === 'end') local.end();
      else if (frame.op === 'close') local.destroy();
    }
  });

  upstream.once('connect', () => {
    for (const [localPort, targetPort] of forwards) {
      const server = createServer({ allowHalfOpen: true }, (local) => {
        const id = nextId++;
        streams.set(id, local);
        process.stdout.write(`Handling connection for ${localPort}\n`);
        send({ op: 'open', id, port: targetPort });
        local.on('error', () => undefined);
        local.on('data', (data) => send({ op: 'data', id, data: data.toString('base64') }));
        local.on('end', () => send({ op: 'end', id }));
        local.on('close', () => {
          streams.delete(id);
          if (!upstream.destroyed) send({ op: 'close', id });
        });
      });
      server.listen(localPort, address, () => process.stdout.write(`Forwarding from ${address}:${localPort} -> ${targetPort}\n`));
      server.on('error', (error) => {
        process.stderr.write(`kubectl-mux: ${error.message}\n`);
        process.exit(1);
      });
    }
  });
}
