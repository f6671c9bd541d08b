import { describeCoherence } from '../helpers/coherence-suite';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

/**
 * Redis pub/sub (127.0.0.1:6379) on whatever database DATABASE_CLIENT names. Instance B reaches
 * Redis through a relay the test can cut: a Redis outage as B sees it, while A still publishes.
 */
let relay: TcpProxy;

beforeAll(async () => {
  relay = await startTcpProxy(6379);
});

afterAll(async () => {
  await relay.close();
});

describeCoherence({
  through: 'Redis pub/sub',
  cluster: {
    get configs() {
      return [
        { coherence: { mode: 'redis', redisUrl: 'redis://127.0.0.1:6379' } },
        { coherence: { mode: 'redis', redisUrl: `redis://127.0.0.1:${relay.port}` } },
      ];
    },
  },
  loseNotifications: async () => {
    relay.cut();
    return async () => relay.restore();
  },
});
