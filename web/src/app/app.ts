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
      <a class="brand" routerLink="/sales">Flash sale</a>
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
