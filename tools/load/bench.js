// One phase of `npx flashsale bench`: a closed model (VUS virtual users, each sending its next
// request as soon as the previous one is answered) against one URL, so every phase of the
// bench sees exactly the same load shape and only the server differs.
//
//   K6_NO_USAGE_REPORT=true TARGET_URL=http://127.0.0.1:28080/api/sales/s/purchases \
//     AUTH_JWT_SECRET=... EXPECT_STATUS=201 VUS=64 DURATION=10s WARMUP=3s k6 run tools/load/bench.js
//
// Every request is a purchase as the storefront sends it (bearer token, JSON body, a fresh
// Idempotency-Key unless IDEMPOTENCY_KEY=false), even to the hello-world server, which ignores
// all of it: the request bytes are the same in every phase. A warm-up scenario runs first (JIT, connection pools);
// only the "measure" scenario's requests are reported.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { requireSecret, signToken } from './jwt.js';

export { handleSummary } from './summary.js';

const target = __ENV.TARGET_URL;
if (!target) throw new Error('TARGET_URL is not set: pass the URL every request goes to');
const vus = Number(__ENV.VUS || 64);
const duration = __ENV.DURATION || '10s';
const warmup = __ENV.WARMUP || '3s';
const expectStatus = Number(__ENV.EXPECT_STATUS || 200);
// 'false' leaves the Idempotency-Key out: the API answers a sold-out sale from memory only for
// requests without one (a request with one may be the retry of a confirmed purchase).
const sendIdempotencyKey = (__ENV.IDEMPOTENCY_KEY || 'true') === 'true';
const secret = requireSecret();

const unexpected = new Counter('unexpected_status');

// Every answer is "expected" here; whether it is the answer this phase measures is counted below.
http.setResponseCallback(http.expectedStatuses({ min: 100, max: 599 }));

export const options = {
  scenarios: {
    warmup: {
      executor: 'constant-vus',
      vus,
      duration: warmup,
      gracefulStop: '0s',
      tags: { phase: 'warmup' },
    },
    measure: {
      executor: 'constant-vus',
      vus,
      duration,
      startTime: warmup,
      gracefulStop: '2s',
      tags: { phase: 'measure' },
    },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
  // Submetrics appear in the exported summary only when a threshold names them.
  thresholds: {
    'http_req_duration{phase:measure}': ['max>=0'],
    'http_reqs{phase:measure}': ['count>=0'],
    'unexpected_status{phase:measure}': ['count>=0'],
  },
  discardResponseBodies: true,
};

let token;

export default function () {
  // One buyer per virtual user: signing happens once, not on every request.
  token = token || signToken(secret, `bench-vu-${__VU}`);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // Unique across both scenarios (__ITER restarts in each): a repeated key would be a replay.
  if (sendIdempotencyKey) headers['Idempotency-Key'] = `vu${__VU}-${exec.vu.iterationInInstance}`;
  const response = http.post(target, '{"quantity":1}', { headers, timeout: '10s' });
  unexpected.add(response.status === expectStatus ? 0 : 1);
}
