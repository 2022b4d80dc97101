import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Session } from '../auth/session';

/** Adds the signed-in buyer's token to API calls (and to nothing else). */
export const bearerTokenInterceptor: HttpInterceptorFn = (request, next) => {
  const token = inject(Session).token();
  if (!token || !request.url.includes('/api/') || request.headers.has('Authorization'))
    return next(request);
  return next(request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }));
};
