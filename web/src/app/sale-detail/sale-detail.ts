import { HttpErrorResponse } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { saleStateAt, type Purchase, type SaleState } from '@flashsale/contract';
import { catchError, map, of, switchMap } from 'rxjs';
import { Session } from '../auth/session';
import { LocalTimePipe } from '../core/local-time';
import { ServerClock } from '../core/server-clock';
import { Checkout } from '../purchases/checkout';
import { MyPurchases } from '../purchases/my-purchases';
import { outcomeMessage } from '../purchases/purchase-outcome';
import { formatPrice, saleStateLabels } from '../sales/sale';
import { StockBar } from '../sales/stock-bar';
import { buyState } from './buy-state';
import { Countdown } from './countdown';
import { SaleFeed, type SaleUpdate } from './sale-feed';

type FeedState = SaleUpdate | { readonly missing: true } | { readonly failed: true } | undefined;

const announcements: Readonly<Record<SaleState, string>> = {
  upcoming: 'The sale has not started yet.',
  active: 'The sale is open. You can buy now.',
  sold_out: 'Sold out.',
  ended: 'The sale has ended.',
};

/** One sale: product, price, countdown on the server's clock, live stock, Buy. */
@Component({
  selector: 'fs-sale-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Countdown, LocalTimePipe, MyPurchases, RouterLink, StockBar],
  providers: [Checkout],
  templateUrl: './sale-detail.html',
  styleUrl: './sale-detail.css',
})
export class SaleDetail {
  private readonly feed = inject(SaleFeed);
  private readonly clock = inject(ServerClock);
  protected readonly session = inject(Session);
  protected readonly checkout = inject(Checkout);

  /** The sale's name, from the route. */
  readonly name = input.required<string>();

  private readonly feedState = toSignal<FeedState>(
    toObservable(this.name).pipe(
      switchMap((name) =>
        this.feed
          .watch(name)
          .pipe(
            catchError((error: unknown) =>
              of<FeedState>(
                error instanceof HttpErrorResponse && error.status === 404
                  ? { missing: true }
                  : { failed: true },
              ),
            ),
          ),
      ),
      map((state): FeedState => state),
    ),
  );

  readonly sale = computed(() => {
    const state = this.feedState();
    return state && 'sale' in state ? state.sale : undefined;
  });
  readonly missing = computed(() => {
    const state = this.feedState();
    return state !== undefined && 'missing' in state;
  });
  readonly live = computed(() => {
    const state = this.feedState();
    return state !== undefined && 'mode' in state && state.mode === 'live';
  });
  readonly state = computed(() => {
    const sale = this.sale();
    return sale ? saleStateAt(sale, this.clock.now()) : undefined;
  });
  readonly stateLabel = computed(() => {
    const state = this.state();
    return state ? saleStateLabels[state] : '';
  });
  readonly announcement = computed(() => {
    const state = this.state();
    return state ? announcements[state] : '';
  });
  readonly untilStart = computed(() => Date.parse(this.sale()?.startsAt ?? '') - this.clock.now());
  readonly untilEnd = computed(() => Date.parse(this.sale()?.endsAt ?? '') - this.clock.now());
  readonly price = computed(() => formatPrice(this.sale()?.priceCents ?? 0));
  /** Units this buyer already has in this sale, from their confirmed purchases. */
  private readonly boughtUnits = signal(0);
  readonly buyArea = computed(() => {
    const sale = this.sale();
    const state = this.state();
    if (!sale || !state) return undefined;
    return buyState({
      state,
      startsAt: sale.startsAt,
      perUserLimit: sale.perUserLimit,
      signedIn: this.session.signedIn(),
      boughtUnits: this.boughtUnits(),
      limitAnswered: this.checkout.outcome()?.kind === 'limit_reached',
      inFlight: this.checkout.inFlight(),
      waiting: this.checkout.waiting(),
      price: this.price(),
    });
  });
  readonly canBuy = computed(() => {
    const buy = this.buyArea();
    return buy?.kind === 'buy' && buy.enabled;
  });
  readonly outcome = computed(() => {
    const outcome = this.checkout.outcome();
    return outcome ? { kind: outcome.kind, text: outcomeMessage(outcome) } : undefined;
  });
  constructor() {
    this.clock.tickWhileAlive(inject(DestroyRef));
  }

  /** The button's text: what it does, or why it cannot. */
  readonly buyLabel = computed(() => {
    const area = this.buyArea();
    if (area?.kind === 'buy') return area.label;
    return area?.kind === 'blocked' ? area.reason : '';
  });

  /** A picture that cannot be loaded leaves no empty frame behind. */
  hideImage(event: Event): void {
    (event.target as HTMLElement).hidden = true;
  }

  purchasesLoaded(purchases: readonly Purchase[]): void {
    this.boughtUnits.set(purchases.reduce((units, purchase) => units + purchase.quantity, 0));
  }

  buy(): void {
    if (this.canBuy()) this.checkout.buy(this.name());
  }
}
