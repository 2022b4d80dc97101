import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { BROWSER_NOW } from './browser-clock';

/**
 * The server's clock as seen from the browser. Every Sale carries `serverTime`; the
 * difference to the browser's clock at arrival is the offset, so countdowns and the
 * upcoming → active flip follow the server (which decides purchases), not a browser
 * clock that may be minutes off.
 */
@Injectable({ providedIn: 'root' })
export class ServerClock {
  private readonly browserClock = inject(BROWSER_NOW);
  private readonly offsetMs = signal(0);
  private readonly browserNow = signal(this.browserClock());

  /** The server's current time in epoch ms, as of the last tick. */
  readonly now = computed(() => this.browserNow() + this.offsetMs());

  observe(serverTime: string, receivedAt = this.browserClock()): void {
    const server = Date.parse(serverTime);
    if (Number.isNaN(server)) return;
    this.offsetMs.set(server - receivedAt);
    this.browserNow.set(receivedAt);
  }

  tick(at = this.browserClock()): void {
    this.browserNow.set(at);
  }

  /** Ticks every `everyMs` until `destroyRef` is destroyed (a page that shows a countdown). */
  tickWhileAlive(destroyRef: DestroyRef, everyMs = 250): void {
    const timer = setInterval(() => this.tick(), everyMs);
    destroyRef.onDestroy(() => clearInterval(timer));
  }
}
