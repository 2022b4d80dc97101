import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { Session } from './auth/session';

@Component({
  selector: 'fs-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  template: `
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="bar">
      <a class="brand" routerLink="/sales">
        <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="#f59e0b" />
          <path d="M18.5 3 7 18h7.5L12 29l13-16h-7.5z" fill="#111827" />
        </svg>
        Flash sale
      </a>
      <nav aria-label="Main">
        <a routerLink="/sales" routerLinkActive="active" ariaCurrentWhenActive="page">Sales</a>
        <a routerLink="/purchases" routerLinkActive="active" ariaCurrentWhenActive="page"
          >My purchases</a
        >
      </nav>
      <div class="account">
        @if (session.userId(); as userId) {
          <span id="signed-in-as"
            >Signed in as <strong>{{ userId }}</strong></span
          >
          <button type="button" class="link" (click)="signOut()">Sign out</button>
        } @else {
          <a routerLink="/sign-in" [queryParams]="{ returnUrl: router.url }">Sign in</a>
        }
      </div>
    </header>
    <main id="main" tabindex="-1">
      <router-outlet />
    </main>
  `,
})
export class App {
  protected readonly session = inject(Session);
  protected readonly router = inject(Router);

  signOut(): void {
    this.session.signOut();
  }
}
