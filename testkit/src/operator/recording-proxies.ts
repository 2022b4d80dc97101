import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
}

async function listen(server: HttpServer | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no address');
  return address.port;
}

/**
 * A plain-HTTP front for the kube-apiserver that records every request that is not a read,
 * so a spec can see what one client wrote and when. It authenticates upstream with the
 * given kubeconfig's credentials; its client needs none.
 */
export class ApiServerRecorder {
  readonly writes: RecordedRequest[] = [];
  private server: HttpServer | undefined;
  port = 0;

  async start(kubeConfig: KubeConfig): Promise<void> {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig names no server');
    const target = new URL(server);
    const tls: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    this.server = createHttpServer((req, res) => {
      const method = req.method ?? 'GET';
      if (method !== 'GET') this.writes.push({ at: Date.now(), method, path: req.url ?? '' });
      const upstream = httpsRequest(
        {
          ...tls,
          host: target.hostname,
          port: target.port,
          method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
    this.port = await listen(this.server);
  }

  /** A kubeconfig (JSON, which is YAML) that reaches the API server through this proxy. */
  kubeconfig(): string {
    const server = `http://127.0.0.1:${this.port}`;
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain HTTP unless TLS verification is explicitly off.
      clusters: [{ name: 'recorded', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'recorded', user: {} }],
      contexts: [{ name: 'recorded', context: { cluster: 'recorded', user: 'recorded' } }],
      'current-context': 'recorded',
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}

/** A TCP relay in front of Redis that records when its clients sent bytes. */
export class RedisRecorder {
  readonly sent: { readonly at: number; readonly bytes: number }[] = [];
  private server: TcpServer | undefined;
  port = 0;

  async start(redisUrl: string): Promise<void> {
    const target = new URL(redisUrl);
    this.server = createTcpServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      client.on('data', (chunk: Buffer) => {
        this.sent.push({ at: Date.now(), bytes: chunk.length });
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    this.port = await listen(this.server);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}
