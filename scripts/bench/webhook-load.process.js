// Load generator for the webhook benchmark, in its own process so it does not share the gateway's event loop.
// argv: <port> <payloads.json> <concurrency>; prints one JSON line: { latencies: number[], seconds }.
const { Agent, request } = require('node:http');
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const [port, file, concurrencyArg] = process.argv.slice(2);
const payloads = JSON.parse(readFileSync(file, 'utf8'));
const concurrency = Number(concurrencyArg);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function send(i) {
  return new Promise((resolve, reject) => {
    const { b, sig } = payloads[i];
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/webhooks/servicetitan/bench',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(b),
          'x-servicetitan-signature': sig,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(b);
  });
}

(async () => {
  const warm = Math.min(200, payloads.length);
  for (let i = 0; i < warm; i++) await send(i);
  const latencies = [];
  let next = warm;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payloads.length) latencies.push(await send(next++));
    }),
  );
  process.stdout.write(JSON.stringify({ latencies, seconds: (performance.now() - start) / 1000 }) + '\n');
  agent.destroy();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
