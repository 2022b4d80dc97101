import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { saleStateAt, type Sale } from '@flashsale/contract';
import { catchError, map, of, switchMap, timer } from 'rxjs';
import { LocalTimePipe } from '../core/local-time';
import { ServerClock } from '../core/server-clock';
import { formatPrice, saleStateLabels } from './sale';
import { SalesApi } from './sales-api';
import { StockBar } from './stock-bar';

type ListState = { readonly sales: readonly Sale[] } | { readonly failed: true } | undefined;

/** Every sale with its state, stock and window; refreshed every few seconds. */
@Component({
  selector: 'fs-sales-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LocalTimePipe, RouterLink, StockBar],
  template: `
    <h1>Sales</h1>
    @let current = list();
    @if (current === undefined) {
      <p role="status">Loading sales…</p>
    } @else if ('failed' in current) {
      <p role="alert" class="error">The sales could not be loaded. Retrying…</p>
    } @else if (rows().length === 0) {
      <p>No sales yet.</p>
    } @else {
      <ul class="sales" aria-label="Sales">
        @for (row of rows(); track row.sale.name) {
          <li class="card">
            @if (row.sale.imageUrl) {
              <img
                class="thumb"
                [src]="row.sale.imageUrl"
                alt=""
                width="320"
                height="180"
                (error)="hideImage($event)"
              />
            }
            <h2>
              <a [routerLink]="['/sales', row.sale.name]">{{ row.sale.title }}</a>
            </h2>
            <p class="meta">
              <span class="badge badge--{{ row.state }}">{{ row.label }}</span>
              <span class="price">{{ row.price }}</span>
            </p>
            @if (row.sale.description) {
              <p class="description">{{ row.sale.description }}</p>
            }
            <fs-stock-bar
              [remaining]="row.sale.remaining"
              [stock]="row.sale.stock"
              [label]="'Stock left of ' + row.sale.title"
            />
            <dl class="window">
              <dt>Starts</dt>
              <dd>
                <time [attr.datetime]="row.sale.startsAt">{{ row.sale.startsAt | localTime }}</time>
              </dd>
              <dt>Ends</dt>
              <dd>
                <time [attr.datetime]="row.sale.endsAt">{{ row.sale.endsAt | localTime }}</time>
              </dd>
            </dl>
          </li>
        }
      </ul>
    }
  `,
  styles: `
    .sales {
      list-style: none;
      padding: 0;
      margin: 0;
      display: grid;
      gap: 1rem;
      grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
    }
    .card {
      border: 1px solid #d1d5db;
      border-radius: 0.75rem;
      padding: 1rem;
      background: #fff;
    }
    .thumb {
      display: block;
      width: calc(100% + 2rem);
      height: auto;
      aspect-ratio: 16 / 9;
      object-fit: cover;
      margin: -1rem -1rem 0.75rem;
      border-radius: 0.75rem 0.75rem 0 0;
      background: #e5e7eb;
    }
    .thumb[hidden] {
      display: none;
    }
    .description {
      margin: 0 0 0.75rem;
      font-size: 0.875rem;
      color: #374151;
      display: -webkit-box;
      -webkit-line-clamp: 3;
      -webkit-box-orient: vertical;
      overflow: hidden;
    }
    h2 {
      font-size: 1.125rem;
      margin: 0 0 0.5rem;
    }
    .meta {
      display: flex;
      justify-content: space-between;
      align-items: center;
      margin: 0 0 0.75rem;
    }
    .price {
      font-weight: 600;
    }
    .window {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 0.125rem 0.75rem;
      margin: 0.75rem 0 0;
      font-size: 0.875rem;
    }
    dt {
      color: #4b5563;
    }
    dd {
      margin: 0;
    }
  `,
})
export class SalesList {
  private readonly api = inject(SalesApi);
  private readonly clock = inject(ServerClock);

  readonly list = toSignal<ListState>(
    timer(0, 5000).pipe(
      switchMap(() =>
        this.api.list().pipe(
          map((sales): ListState => ({ sales })),
          catchError(() => of<ListState>({ failed: true })),
        ),
      ),
    ),
  );

  readonly rows = computed(() => {
    const current = this.list();
    if (!current || 'failed' in current) return [];
    const now = this.clock.now();
    return current.sales.map((sale) => {
      const state = saleStateAt(sale, now);
      return { sale, state, label: saleStateLabels[state], price: formatPrice(sale.priceCents) };
    });
  });

  constructor() {
    this.clock.tickWhileAlive(inject(DestroyRef), 1000);
  }

  /** A picture that cannot be loaded leaves no empty frame behind. */
  hideImage(event: Event): void {
    (event.target as HTMLElement).hidden = true;
  }
}
