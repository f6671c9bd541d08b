'use strict';
/**
 * Load over real HTTP: autocannon to warm an app under concurrency, and single requests
 * interleaved over several apps, each response timed, to measure them side by side.
 */
const autocannon = require('autocannon');

/**
 * Runs `seconds` of GET `path` against 127.0.0.1:`port` with `connections` at once and resolves
 * with the number of requests. Any non-2xx response or error fails the run: warming on error
 * pages warms the wrong code.
 */
function load({ port, path, headers = {}, seconds, connections = 1 }) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}${path}`, headers, duration: seconds, connections, pipelining: 1 }, (error, result) => {
      if (error) return reject(error);
      const failed = result.non2xx + result.errors + result.timeouts;
      if (failed > 0) {
        return reject(new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`));
      }
      resolve({ requests: result.requests.total });
    });
  });
}

/** `seconds` of load on each app in turn, one second at a time, so every app warms over the same stretch. */
async function warmUp(apps, { path, headers = {}, seconds, connections }) {
  for (let elapsed = 0; elapsed < seconds; elapsed += 1) {
    for (const app of apps) await load({ port: app.port, path, headers, seconds: 1, connections });
  }
}

module.exports = { load, warmUp };

/**
 * One request at a time over keep-alive connections, cycling through `targets` in a fixed order
 * (each target always follows the same other one), `rounds` times. Load from elsewhere that comes
 * and goes over seconds falls on every target alike, which runs of seconds per target cannot
 * promise on a shared machine. Resolves with each target's response times (ms).
 */
async function interleaved({ targets, rounds }) {
  const http = require('node:http');
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  // A keep-alive socket the server closes as it is reused resets the request (Node's idle timeout
  // racing the next request on a loaded machine): sent again once, on a fresh socket, and timed from there.
  const get = (target, agent, retried = false) =>
    send(target, agent).catch((error) => {
      if (retried || error.code !== 'ECONNRESET') throw error;
      return get(target, agent, true);
    });
  const send = (target, agent) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const request = http.get({ host: '127.0.0.1', port: target.port, path: target.path, headers: target.headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`${target.path}: status ${response.statusCode}`));
          resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      });
      request.on('error', reject);
    });
  const times = targets.map(() => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (let index = 0; index < targets.length; index++) times[index].push(await get(targets[index], agents[index]));
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return times;
}

module.exports.interleaved = interleaved;
