import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { Purchase } from '@flashsale/contract';
import { catchError, forkJoin, map, type Observable, of, switchMap } from 'rxjs';
import { Session } from '../auth/session';
import { LocalTimePipe } from '../core/local-time';
import { SalesApi } from '../sales/sales-api';
import { orderNumber } from './order-number';
import { PurchasesApi } from './purchases-api';

type Loaded = { readonly purchases: readonly Purchase[] } | { readonly failed: true } | undefined;

/**
 * The signed-in buyer's purchases: of one sale (on its page), or of every sale (the
 * "My purchases" page). `refresh` reloads them, e.g. after a confirmation.
 */
@Component({
  selector: 'fs-my-purchases',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LocalTimePipe, RouterLink],
  template: `
    @if (!sale()) {
      <h1>My purchases</h1>
    }
    @if (!session.signedIn()) {
      <p>
        <a routerLink="/sign-in" [queryParams]="{ returnUrl: '/purchases' }">Sign in</a> to see your
        purchases.
      </p>
    } @else {
      @let current = loaded();
      @if (current === undefined) {
        <p role="status">Loading your purchases…</p>
      } @else if ('failed' in current) {
        <p role="alert" class="error">Your purchases could not be loaded.</p>
      } @else if (current.purchases.length === 0) {
        <p>
          {{
            sale()
              ? 'You have not bought anything in this sale yet.'
              : 'You have not bought anything yet.'
          }}
        </p>
      } @else {
        <table class="purchases">
          <caption class="visually-hidden">
            Your confirmed purchases
          </caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              @if (!sale()) {
                <th scope="col">Sale</th>
              }
              <th scope="col">Qty</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            @for (purchase of current.purchases; track purchase.purchaseId) {
              <tr>
                <td class="order">
                  <span class="order-number" [title]="'Order id ' + purchase.purchaseId">{{
                    number(purchase.purchaseId)
                  }}</span>
                  <button
                    type="button"
                    class="link copy"
                    [attr.aria-label]="'Copy id of order ' + number(purchase.purchaseId)"
                    (click)="copy(purchase.purchaseId)"
                  >
                    {{ copied() === purchase.purchaseId ? 'Copied' : 'Copy id' }}
                  </button>
                </td>
                @if (!sale()) {
                  <td>
                    <a [routerLink]="['/sales', purchase.sale]">{{ purchase.sale }}</a>
                  </td>
                }
                <td>{{ purchase.quantity }}</td>
                <td>
                  <time [attr.datetime]="purchase.purchasedAt">{{
                    purchase.purchasedAt | localTime
                  }}</time>
                </td>
              </tr>
            }
          </tbody>
        </table>
      }
    }
  `,
  styles: `
    .purchases {
      width: 100%;
      border-collapse: collapse;
      font-size: 0.875rem;
    }
    th,
    td {
      text-align: left;
      padding: 0.375rem 0.5rem;
      border-bottom: 1px solid #e5e7eb;
    }
    .order-number {
      font-family: ui-monospace, monospace;
      font-weight: 600;
      margin-right: 0.5rem;
    }
    .copy,
    .copy:hover {
      font-size: 0.8125rem;
      color: #1d4ed8;
      background: none;
    }
  `,
})
export class MyPurchases {
  protected readonly session = inject(Session);
  private readonly purchasesApi = inject(PurchasesApi);
  private readonly salesApi = inject(SalesApi);

  readonly sale = input<string>();
  readonly refresh = input(0);
  readonly loaded = signal<Loaded>(undefined);
  /** The confirmed purchases each time they are (re)loaded. */
  readonly purchasesLoaded = output<readonly Purchase[]>();
  /** The id last copied to the clipboard, to say so on its button. */
  readonly copied = signal<string | undefined>(undefined);
  protected readonly number = orderNumber;

  constructor() {
    effect((onCleanup) => {
      const sale = this.sale();
      this.refresh();
      if (!this.session.token()) return;
      const subscription = untracked(() => this.load(sale)).subscribe((loaded) => {
        this.loaded.set(loaded);
        if (loaded && 'purchases' in loaded) this.purchasesLoaded.emit(loaded.purchases);
      });
      onCleanup(() => subscription.unsubscribe());
    });
  }

  /** Copies the full purchase id (for support, receipts); says "Copied" once it is. */
  copy(purchaseId: string): void {
    navigator.clipboard.writeText(purchaseId).then(
      () => this.copied.set(purchaseId),
      () => this.copied.set(undefined),
    );
  }

  private load(sale: string | undefined): Observable<Loaded> {
    const purchases = sale
      ? this.purchasesApi.mine(sale)
      : this.salesApi.list().pipe(
          switchMap((sales) =>
            sales.length === 0
              ? of([])
              : forkJoin(sales.map((each) => this.purchasesApi.mine(each.name))),
          ),
          map((lists) => lists.flat()),
        );
    return purchases.pipe(
      map((list): Loaded => ({
        purchases: [...list].sort((a, b) => b.purchasedAt.localeCompare(a.purchasedAt)),
      })),
      catchError(() => of<Loaded>({ failed: true })),
    );
  }
}
