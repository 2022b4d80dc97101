// Contention: a crowd far larger than the stock presses "buy" at once. The thresholds encode
// correctness, not speed: exactly STOCK purchases are confirmed (no oversell, no undersell),
// no answer is a 5xx, and a replayed Idempotency-Key returns the original purchase.
//
//   K6_NO_USAGE_REPORT=true k6 run \
//     -e API_URLS=http://127.0.0.1:18080,http://127.0.0.1:18081 -e SALE=<active sale> \
//     -e AUTH_JWT_SECRET="$(cat .flashsale/auth-jwt-secret)" -e USERS=20000 -e STOCK=1000 \
//     tools/load/contention.js
//
// `npx flashsale load contention` creates a fresh sale, runs this and verifies the pipeline.
//
// Each iteration is one distinct user (closed model, shared iterations), who:
//   1. buys with an Idempotency-Key — one user in DOUBLE_CLICK_EVERY sends that request twice
//      at the same moment, as a double click does;
//   2. after a 201, replays the same key (must be 200 with the same purchaseId) and tries to buy
//      again with a new key (must be refused: 409 limit_reached, or 410 once sold out);
//   3. after a 429, waits Retry-After and tries again with the same key (at most 3 times).
// Sold out (410), limit reached (409) and rate limited (429) are expected answers, not failures.
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { sleep } from 'k6';
import { apiUrls, requireSale, requireSecret, signToken } from './jwt.js';

export { handleSummary } from './summary.js';

const users = Number(__ENV.USERS || 20000);
const stock = Number(__ENV.STOCK || 1000);
const vus = Math.min(Number(__ENV.VUS || 200), users);
const doubleClickEvery = Number(__ENV.DOUBLE_CLICK_EVERY || 10);
const maxRateLimitedRetries = 3;

const urls = apiUrls();
const sale = requireSale();
const secret = requireSecret();
const runId = __ENV.RUN_ID || sale;

const confirmed = new Counter('confirmed');
const serverErrors = new Counter('server_errors');
const replayMismatch = new Counter('replay_mismatch');
const unexpectedStatus = new Counter('unexpected_status');
const soldOut = new Counter('sold_out');
const limitReached = new Counter('limit_reached');
const rateLimited = new Counter('rate_limited');

http.setResponseCallback(http.expectedStatuses(200, 201, 409, 410, 429));

export const options = {
  scenarios: {
    crowd: { executor: 'shared-iterations', vus, iterations: users, maxDuration: '5m' },
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
  thresholds: {
    confirmed: [`count==${stock}`],
    server_errors: ['count==0'],
    replay_mismatch: ['count==0'],
    unexpected_status: ['count==0'],
  },
};

let requestCounter = 0;

/** Round robin over the API processes, as a load balancer in front of them would. */
function nextUrl() {
  requestCounter += 1;
  return `${urls[(exec.vu.idInTest + requestCounter) % urls.length]}/api/sales/${sale}/purchases`;
}

function purchaseRequest(token, idempotencyKey) {
  return {
    method: 'POST',
    url: nextUrl(),
    body: '{"quantity":1}',
    params: {
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey,
      },
      timeout: '10s',
      tags: { name: 'purchase' },
    },
  };
}

function send(request) {
  return http.request(request.method, request.url, request.body, request.params);
}

function purchaseIdOf(response) {
  try {
    return response.json('purchaseId');
  } catch {
    return undefined;
  }
}

const countersByStatus = { 201: confirmed, 409: limitReached, 410: soldOut, 429: rateLimited };

/**
 * Counts one answer by what it means. Every status outside the contract is an error; no answer
 * at all (status 0: timeout, reset) counts as a server error, because to the buyer it is one.
 */
function tally(response) {
  const counter = countersByStatus[response.status];
  if (counter) counter.add(1);
  if (counter || response.status === 200) return;
  (response.status >= 500 || response.status === 0 ? serverErrors : unexpectedStatus).add(1);
  console.warn(`unexpected answer ${response.status}: ${String(response.body).slice(0, 200)}`);
}

/** The first attempt: one request, or two at once with the same key (a double click). */
function firstAttempt(token, key, doubleClick) {
  const request = purchaseRequest(token, key);
  const responses = doubleClick
    ? http.batch([request, purchaseRequest(token, key)])
    : [send(request)];
  responses.forEach(tally);
  const created = responses.find((response) => response.status === 201);
  // Two answers to one key: a 200 must carry the purchase the 201 created.
  const replayed = responses.filter((response) => response.status === 200);
  for (const response of replayed) {
    if (!created || purchaseIdOf(response) !== purchaseIdOf(created)) replayMismatch.add(1);
  }
  return { created, rateLimited: responses.find((response) => response.status === 429) };
}

function retryAfterSeconds(response) {
  return Math.min(Number(response.headers['Retry-After'] || 1), 2);
}

function afterPurchase(token, key, created, userId) {
  const replay = send(purchaseRequest(token, key));
  tally(replay);
  if (replay.status !== 200 || purchaseIdOf(replay) !== purchaseIdOf(created)) {
    replayMismatch.add(1);
    console.warn(
      `replay of ${userId}'s key answered ${replay.status} ${String(replay.body).slice(0, 200)}`,
    );
  }
  const again = send(purchaseRequest(token, `${key}-again`));
  tally(again);
  if (again.status !== 409 && again.status !== 410 && again.status !== 429) {
    unexpectedStatus.add(1);
    console.warn(`a second purchase by ${userId} answered ${again.status} instead of a refusal`);
  }
}

export default function () {
  // Counters that never receive a sample have no value for their threshold to check.
  [confirmed, serverErrors, replayMismatch, unexpectedStatus].forEach((counter) => counter.add(0));
  const index = exec.scenario.iterationInTest;
  const userId = `${runId}-u${index}`;
  const token = signToken(secret, userId);
  const key = `${userId}-buy`;
  let attempt = firstAttempt(token, key, index % doubleClickEvery === 0);
  // Retry only what got no purchase: a double click may be half confirmed, half rate limited.
  for (
    let retry = 0;
    attempt.rateLimited && !attempt.created && retry < maxRateLimitedRetries;
    retry += 1
  ) {
    sleep(retryAfterSeconds(attempt.rateLimited));
    attempt = firstAttempt(token, key, false);
  }
  if (attempt.created) afterPurchase(token, key, attempt.created, userId);
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
