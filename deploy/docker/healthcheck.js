// Container health check without curl/wget (not in slim images): GET http://127.0.0.1:$PORT$HEALTHCHECK_PATH
// must answer 200. With HEALTHCHECK_PATH empty (servers without a health route), an open TCP port is enough.
// Usage: node healthcheck.js [path]
'use strict';
const http = require('http');
const net = require('net');

const port = Number(process.env.PORT || 3000);
const path =
  process.argv[2] !== undefined
    ? process.argv[2]
    : process.env.HEALTHCHECK_PATH === undefined
      ? '/health/live'
      : process.env.HEALTHCHECK_PATH;
const fail = () => process.exit(1);

if (!path) {
  const s = net.connect({ host: '127.0.0.1', port, timeout: 3000 }, () => {
    s.end();
    process.exit(0);
  });
  s.on('error', fail).on('timeout', fail);
} else {
  const req = http.get({ host: '127.0.0.1', port, path, timeout: 3000 }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
  req.on('error', fail).on('timeout', fail);
}
