import {
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  inject,
  input,
  type OnInit,
  signal,
  viewChild,
} from '@angular/core';
import { Router } from '@angular/router';
import { apiError } from '../core/api-error';
import { BROWSER_NOW } from '../core/browser-clock';
import { APP_CONFIG } from '../core/app-config';
import { OidcSignIn } from './oidc-sign-in';
import { Session } from './session';

/**
 * Dev login in local mode; in production a button to the OpenID Connect provider (code
 * flow with PKCE, see OidcSignIn), which sends the buyer back here with a code.
 */
@Component({
  selector: 'fs-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Sign in</h1>
    @if (mode === 'dev-login') {
      <form (submit)="submit($event)" class="form" aria-describedby="dev-login-hint">
        <p id="dev-login-hint" class="hint">Local mode: any user name signs you in (dev login).</p>
        <label for="user-id">User name</label>
        <input
          #userIdInput
          id="user-id"
          name="userId"
          autocomplete="username"
          required
          maxlength="64"
          pattern="[A-Za-z0-9._@\\-]{1,64}"
          [value]="userId()"
          (input)="userId.set(userIdInput.value)"
        />
        <button type="submit" [disabled]="busy() || !valid()">
          {{ busy() ? 'Signing in…' : 'Sign in' }}
        </button>
      </form>
    } @else {
      <p>
        <button type="button" class="button" [disabled]="busy()" (click)="startProviderSignIn()">
          {{ busy() ? 'Signing in…' : 'Sign in with ' + providerName }}
        </button>
      </p>
    }
    @if (error()) {
      <p role="alert" class="error">{{ error() }}</p>
    }
  `,
  styles: `
    .form {
      display: grid;
      gap: 0.5rem;
      max-width: 22rem;
    }
    .hint {
      margin: 0 0 0.5rem;
      color: #374151;
    }
  `,
})
export class SignIn implements OnInit {
  private readonly session = inject(Session);
  private readonly now = inject(BROWSER_NOW);
  private readonly oidc = inject(OidcSignIn);
  private readonly router = inject(Router);
  private readonly config = inject(APP_CONFIG).auth;
  private readonly input = viewChild<ElementRef<HTMLInputElement>>('userIdInput');

  /** Where to go once signed in (a path inside the app). */
  readonly returnUrl = input<string>();

  readonly mode = this.config.mode;
  readonly providerName = this.config.mode === 'oidc' ? this.config.providerName : '';
  readonly userId = signal('');
  readonly busy = signal(false);
  readonly error = signal('');
  readonly valid = computed(() => /^[A-Za-z0-9._@-]{1,64}$/.test(this.userId().trim()));

  ngOnInit(): void {
    // Back from the identity provider with a code (or an error) in the query string.
    const here = new URL(location.href);
    if (this.mode !== 'oidc' || !this.oidc.isCallback(here)) return;
    // The code is single-use: drop it from the address bar and the history at once.
    history.replaceState(null, '', location.pathname);
    this.busy.set(true);
    void this.oidc.complete(here).then(
      ({ accessToken, returnUrl }) => {
        this.session.signIn(accessToken);
        return this.router.navigateByUrl(returnUrl.startsWith('/') ? returnUrl : '/sales');
      },
      (error: unknown) => this.fail(error),
    );
  }

  startProviderSignIn(): void {
    this.busy.set(true);
    this.error.set('');
    const target = this.returnUrl();
    void this.oidc.begin(target?.startsWith('/') ? target : '/sales').then(
      (url) => location.assign(url),
      (error: unknown) => this.fail(error),
    );
  }

  private fail(error: unknown): void {
    this.busy.set(false);
    this.error.set(error instanceof Error ? error.message : String(error));
  }

  submit(event: Event): void {
    event.preventDefault();
    if (this.busy() || !this.valid()) return;
    this.busy.set(true);
    this.error.set('');
    this.session.devLogin(this.userId().trim()).subscribe({
      next: () => void this.leave(),
      error: (error: unknown) => {
        this.busy.set(false);
        const failure = apiError(error, this.now());
        this.error.set(
          failure.status === 404
            ? 'Dev login is switched off on this API (AUTH_DEV_LOGIN).'
            : `Sign-in failed: ${failure.message}`,
        );
        this.input()?.nativeElement.focus();
      },
    });
  }

  private leave(): Promise<boolean> {
    const target = this.returnUrl();
    return this.router.navigateByUrl(target?.startsWith('/') ? target : '/sales');
  }
}
