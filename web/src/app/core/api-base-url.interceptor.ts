import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { APP_CONFIG } from './app-config';

/** Services call `/api/...`; this points those calls at the configured API. */
export const apiBaseUrlInterceptor: HttpInterceptorFn = (request, next) => {
  if (!request.url.startsWith('/api/')) return next(request);
  const { apiBaseUrl } = inject(APP_CONFIG);
  return next(request.clone({ url: `${apiBaseUrl}${request.url}` }));
};
