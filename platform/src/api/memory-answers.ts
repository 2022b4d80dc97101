import type { IncomingMessage, ServerResponse } from 'node:http';
import { tracingEnabled } from '@flashsale/runtime';
import type { ApiMetrics } from './api-metrics.ts';
import type { KnownAnswer, SaleAnswerCache } from '../purchases/sale-answer-cache.ts';
import { isSaleName } from '../sales/sale-name.ts';
import { corsExposedHeaders } from './app.ts';
import { endServerSpan, startServerSpan } from './middleware/request-tracing.ts';
import { securityHeaders } from './middleware/static-headers.ts';
import {
  jsonContentType,
  knownResponse,
  purchaseRoute,
  resultOf,
  type KnownResponse,
} from './routes/known-answers.ts';

// The purchase path as the router matches it: an optional trailing slash, any query.
const purchasePath = /^\/api\/sales\/([^/?]+)\/purchases\/?(?:\?|$)/;

export interface MemoryAnswerDeps {
  readonly saleAnswers: SaleAnswerCache;
  readonly metrics: Pick<ApiMetrics, 'httpDuration' | 'purchaseAttempts' | 'saleLabels'>;
  readonly isRedisReady: () => boolean;
  /** The storefront origin allowed by CORS; empty allows none (as `createApp` is told). */
  readonly corsOrigin: string;
}

interface Written extends KnownResponse {
  readonly headers: string[];
}

/** Answers a request in place, or says it is not one for memory (then Koa answers it). */
export type MemoryAnswers = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Under a crowd after the last unit, nearly every request is a purchase attempt that memory
 * can answer (sold out, not started, ended, no such sale: `SaleAnswerCache`). This answers
 * those before Koa: no context objects, no middleware chain, no router, headers written in
 * one call. The answer is the one Koa gives, byte for byte (the security headers, the CORS
 * headers when CORS is on, the same body; app.int.test.ts compares them), and it is counted
 * and traced alike. Everything else goes on to Koa: another method or path, an
 * Idempotency-Key (a possible replay, which only Redis can answer), a name that is not a
 * sale name as it stands (no decoding), and any request while Redis is not ready (the 503
 * comes first there too).
 */
export function memoryAnswers(deps: MemoryAnswerDeps): MemoryAnswers {
  const common = [
    ...securityHeaders.flat(),
    // What @koa/cors writes on every answer but a preflight's, whatever the request's Origin.
    ...(deps.corsOrigin === ''
      ? []
      : [
          'Vary',
          'Origin',
          'Access-Control-Allow-Origin',
          deps.corsOrigin,
          'Access-Control-Expose-Headers',
          corsExposedHeaders.join(','),
        ]),
    'Content-Type',
    jsonContentType,
  ];
  // Written once per remembered answer: the cache hands out the same object until it
  // forgets the sale, so a crowd on one sale reuses one body and one header list.
  const written = new WeakMap<KnownAnswer, Written>();
  const writtenFor = (known: KnownAnswer, sale: string): Written => {
    let answer = written.get(known);
    if (answer === undefined) {
      const response = knownResponse(known, sale);
      const length = String(Buffer.byteLength(response.body));
      answer = { ...response, headers: [...common, 'Content-Length', length] };
      written.set(known, answer);
    }
    return answer;
  };

  /** The sale a request asks about when it is one for memory: a bare purchase attempt. */
  const saleOf = (req: IncomingMessage): string | undefined => {
    const requestHeaders = req.headers;
    if (req.method !== 'POST' || requestHeaders['idempotency-key'] !== undefined) return undefined;
    const sale = purchasePath.exec(req.url ?? '')?.[1];
    return sale !== undefined && isSaleName(sale) ? sale : undefined;
  };

  return (req, res) => {
    const sale = saleOf(req);
    if (sale === undefined) return false;
    const known = deps.saleAnswers.answer(sale);
    if (known === undefined || !deps.isRedisReady()) return false;
    const url = req.url ?? '';

    const end = deps.metrics.httpDuration.startTimer();
    const traced = tracingEnabled()
      ? startServerSpan('POST', url.split('?', 1)[0] ?? url, req.headers).span
      : undefined;
    const response = writtenFor(known, sale);
    deps.metrics.purchaseAttempts.inc({
      sale: deps.metrics.saleLabels.label(sale),
      result: resultOf[known.outcome],
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
    end({ method: 'POST', route: purchaseRoute, status_code: String(response.status) });
    if (traced?.isRecording() === true) {
      endServerSpan(traced, 'POST', purchaseRoute, response.status);
    }
    return true;
  };
}
