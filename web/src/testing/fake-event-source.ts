/** Stands in for the browser's EventSource: the spec decides what the server sends. */
export class FakeEventSource {
  static opened: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  onerror: (() => void) | null = null;
  private listeners: ((event: MessageEvent<string>) => void)[] = [];

  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    if (type === 'sale') this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  send(data: unknown): void {
    this.readyState = 1;
    const event = new MessageEvent('sale', { data: JSON.stringify(data) });
    for (const listener of this.listeners) listener(event);
  }

  fail(readyState: 0 | 2): void {
    this.readyState = readyState;
    this.onerror?.();
  }
}
