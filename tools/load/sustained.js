// Sustained: an open model — RATE purchase attempts per second for DURATION, whatever the
// latency, each by a distinct buyer — reporting p50/p95/p99. It answers "how fast is a
// purchase at this load", where a closed model only says how much load the server takes.
//
//   K6_NO_USAGE_REPORT=true k6 run \
//     -e API_URLS=http://127.0.0.1:18080,http://127.0.0.1:18081 -e SALE=<active sale> \
//     -e AUTH_JWT_SECRET="$(cat .flashsale/auth-jwt-secret)" -e RATE=500 -e DURATION=15s \
//     -e P95_MS=250 -e P99_MS=500 tools/load/sustained.js
//
// `npx flashsale load sustained` creates a sale with enough stock for the whole run and
// verifies the pipeline afterwards. If k6 reports dropped_iterations, the load generator could
// not keep the rate (too few VUs, or the machine is saturated): the latencies then describe a
// lower rate than asked for.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { apiUrls, requireSale, requireSecret, signToken } from './jwt.js';

export { handleSummary } from './summary.js';

const rate = Number(__ENV.RATE || 500);
const duration = __ENV.DURATION || '15s';
const urls = apiUrls();
const sale = requireSale();
const secret = requireSecret();
const runId = __ENV.RUN_ID || sale;
// Latency a buyer may see at this rate; k6 fails the run (exit code 99) above it.
const p95Ms = Number(__ENV.P95_MS || 250);
const p99Ms = Number(__ENV.P99_MS || 500);

const confirmed = new Counter('confirmed');
const serverErrors = new Counter('server_errors');
const unexpectedStatus = new Counter('unexpected_status');
const refused = new Counter('refused');

http.setResponseCallback(http.expectedStatuses(201, 409, 410, 429));

export const options = {
  scenarios: {
    purchases: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration,
      // Enough VUs for 50 ms per request at the full rate before k6 has to add more.
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 20)),
      maxVUs: Math.max(50, Math.ceil(rate / 2)),
    },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  thresholds: {
    server_errors: ['count==0'],
    unexpected_status: ['count==0'],
    'http_req_duration{name:purchase}': [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
  },
  discardResponseBodies: true,
};

export default function () {
  [serverErrors, unexpectedStatus].forEach((counter) => counter.add(0));
  const index = exec.scenario.iterationInTest;
  const userId = `${runId}-s${index}`;
  const response = http.post(
    `${urls[index % urls.length]}/api/sales/${sale}/purchases`,
    '{"quantity":1}',
    {
      headers: {
        Authorization: `Bearer ${signToken(secret, userId)}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': `${userId}-buy`,
      },
      timeout: '10s',
      tags: { name: 'purchase' },
    },
  );
  if (response.status === 201) confirmed.add(1);
  else if (response.status >= 500 || response.status === 0) serverErrors.add(1);
  else if ([409, 410, 429].includes(response.status)) refused.add(1);
  else unexpectedStatus.add(1);
}

export function setup() {
  for (const url of urls) {
    const ready = http.get(`${url}/readyz`, { timeout: '5s', responseCallback: null });
    if (ready.status !== 200) {
      exec.test.abort(
        `the API at ${url} is not ready (status ${ready.status}): start it with \`npx flashsale start\``,
      );
    }
  }
}
