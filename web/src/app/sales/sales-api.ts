import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { Sale } from '@flashsale/contract';
import { type Observable, tap } from 'rxjs';
import { ServerClock } from '../core/server-clock';

@Injectable({ providedIn: 'root' })
export class SalesApi {
  private readonly http = inject(HttpClient);
  private readonly clock = inject(ServerClock);

  list(): Observable<Sale[]> {
    return this.http.get<Sale[]>('/api/sales').pipe(
      tap((sales) => {
        if (sales[0]) this.clock.observe(sales[0].serverTime);
      }),
    );
  }

  get(name: string): Observable<Sale> {
    return this.http
      .get<Sale>(`/api/sales/${encodeURIComponent(name)}`)
      .pipe(tap((sale) => this.clock.observe(sale.serverTime)));
  }

  eventsUrl(name: string): string {
    return `/api/sales/${encodeURIComponent(name)}/events`;
  }
}
