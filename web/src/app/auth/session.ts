import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import type { DevLoginRequestBody, DevLoginResponse } from '@flashsale/contract';
import { map, type Observable, tap } from 'rxjs';

const storageKey = 'flashsale.token';

/** The `sub` of a JWT, for display only: the API verifies the token, the browser cannot. */
export function tokenSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in buyer. The token lives in sessionStorage: it survives reloads of the tab
 * and is gone when the tab closes.
 */
@Injectable({ providedIn: 'root' })
export class Session {
  private readonly http = inject(HttpClient);
  private readonly storedToken = signal(this.read());

  readonly token = this.storedToken.asReadonly();
  readonly signedIn = computed(() => this.storedToken() !== undefined);
  readonly userId = computed(() => {
    const token = this.storedToken();
    return token ? (tokenSubject(token) ?? 'signed in') : undefined;
  });

  /** Local mode: the API's dev-login route trades a user name for a token. */
  devLogin(userId: string): Observable<void> {
    const body: DevLoginRequestBody = { userId };
    return this.http.post<DevLoginResponse>('/api/auth/dev-login', body).pipe(
      tap(({ token }) => this.signIn(token)),
      map(() => undefined),
    );
  }

  /** Keeps a bearer token from any identity provider the API trusts. */
  signIn(token: string): void {
    sessionStorage.setItem(storageKey, token);
    this.storedToken.set(token);
  }

  signOut(): void {
    sessionStorage.removeItem(storageKey);
    this.storedToken.set(undefined);
  }

  private read(): string | undefined {
    try {
      return sessionStorage.getItem(storageKey) ?? undefined;
    } catch {
      return undefined;
    }
  }
}
