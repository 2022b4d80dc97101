import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody, ErrorCode } from '@flashsale/contract';

/**
 * Requests that never reach Koa still get the contract's JSON error body. Node's HTTP parser
 * refuses a method it does not know (BREW, FOO) or a malformed request line or header and,
 * left to itself, answers a bare `400` without a body; a CONNECT request has no handler and
 * its connection is simply dropped. Every such connection is answered, then closed.
 */
function answer(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  const reason: Record<number, string> = {
    400: 'Bad Request',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
    501: 'Not Implemented',
  };
  socket.end(
    `HTTP/1.1 ${status} ${reason[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  switch (error.code) {
    case 'ECONNRESET':
      socket.destroy();
      return;
    case 'HPE_INVALID_METHOD':
      answer(socket, 501, 'not_implemented', 'the request method is not served by this API');
      return;
    case 'HPE_HEADER_OVERFLOW':
      answer(socket, 431, 'invalid_request', 'the request headers are too large');
      return;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      answer(socket, 408, 'invalid_request', 'the request was not received in time');
      return;
    default:
      answer(socket, 400, 'invalid_request', 'the request is not valid HTTP/1.1');
  }
}

export function answerUnparsedRequests(server: Server): void {
  server.on('clientError', answerClientError);
  server.on('connect', (_request, socket: Duplex) =>
    answer(socket, 501, 'not_implemented', 'CONNECT is not served by this API'),
  );
}
