import { connect, type Socket } from 'node:net';

/** An HTTP/1.1 answer as read off the wire: status, headers (lower-case names) and the rest. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

function parseAnswer(text: string): RawAnswer | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) return undefined;
  const headers = new Map(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(status), headers, body: text.slice(end + 4) };
}

/**
 * Sends `request` as is on a fresh connection and reads until the server closes it: for
 * requests that no HTTP client library sends (unknown methods, CONNECT, broken syntax).
 */
export function rawExchange(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = parseAnswer(text);
      if (answer) resolve(answer);
      else
        reject(
          new Error(
            `no HTTP answer to ${JSON.stringify(request.slice(0, 40))}: ${JSON.stringify(text)}`,
          ),
        );
    });
  });
}

/**
 * One long-lived GET (a Server-Sent-Events stream) on a raw socket, optionally from another
 * loopback address, optionally never read (a slow client: the kernel's buffers fill and the
 * server's writes back up). Everything received is kept as text; each event the server
 * writes arrives within one chunk, so counting `event: sale` in it counts events.
 */
export class RawStream {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private text = '';

  constructor(options: {
    port: number;
    path: string;
    localAddress?: string;
    headers?: Record<string, string>;
    read?: boolean;
  }) {
    const headers = Object.entries({ Accept: 'text/event-stream', ...options.headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.socket = connect(
      {
        port: options.port,
        host: '127.0.0.1',
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      () => {
        this.socket.write(`GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
        if (options.read === false) this.socket.pause();
      },
    );
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.text += chunk));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** The answer's head once it has arrived. */
  get answer(): RawAnswer | undefined {
    return parseAnswer(this.text);
  }

  /** How many `event: sale` messages have arrived. */
  get saleEvents(): number {
    return this.text.split('event: sale\n').length - 1;
  }

  /** The `remaining` of the last sale event received. */
  get lastRemaining(): number | undefined {
    const all = [...this.text.matchAll(/"remaining":(\d+)/g)];
    const last = all.at(-1)?.[1];
    return last === undefined ? undefined : Number(last);
  }

  close(): void {
    this.socket.destroy();
  }
}
