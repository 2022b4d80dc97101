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
import { APP_CONFIG } from '../core/app-config';
import { Session } from './session';

/**
 * Dev login in local mode; in production a link to the identity provider, which sends the
 * buyer back here with `#access_token=<JWT>` in the URL fragment.
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
        <a class="button" [href]="signInUrl">Sign in with {{ providerName }}</a>
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
  private readonly router = inject(Router);
  private readonly config = inject(APP_CONFIG).auth;
  private readonly input = viewChild<ElementRef<HTMLInputElement>>('userIdInput');

  /** Where to go once signed in (a path inside the app). */
  readonly returnUrl = input<string>();

  readonly mode = this.config.mode;
  readonly signInUrl = this.config.signInUrl ?? '';
  readonly providerName = this.config.providerName ?? '';
  readonly userId = signal('');
  readonly busy = signal(false);
  readonly error = signal('');
  readonly valid = computed(() => /^[A-Za-z0-9._@-]{1,64}$/.test(this.userId().trim()));

  ngOnInit(): void {
    // Back from the identity provider: keep its token, and drop it from the address bar.
    const token = new URLSearchParams(location.hash.slice(1)).get('access_token');
    if (!token) return;
    history.replaceState(null, '', location.pathname + location.search);
    this.session.signIn(token);
    void this.leave();
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
        const failure = apiError(error);
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
