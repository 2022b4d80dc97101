import { InjectionToken } from '@angular/core';

/**
 * The browser's wall clock in epoch ms, injected so that whatever decides by time (the
 * server-clock offset, a Retry-After date) can be driven by a spec. The only place the
 * storefront reads `Date.now()`.
 */
export const BROWSER_NOW = new InjectionToken<() => number>('browser clock (epoch ms)', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});
