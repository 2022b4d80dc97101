import { HttpClient, type HttpResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { Purchase } from '@flashsale/contract';
import type { Observable } from 'rxjs';

@Injectable({ providedIn: 'root' })
export class PurchasesApi {
  private readonly http = inject(HttpClient);

  /** One unit; the key makes a retry of the same intent a replay, never a second purchase. */
  buy(sale: string, idempotencyKey: string): Observable<HttpResponse<Purchase>> {
    return this.http.post<Purchase>(
      `/api/sales/${encodeURIComponent(sale)}/purchases`,
      { quantity: 1 },
      { headers: { 'Idempotency-Key': idempotencyKey }, observe: 'response' },
    );
  }

  mine(sale: string): Observable<Purchase[]> {
    return this.http.get<Purchase[]>(`/api/sales/${encodeURIComponent(sale)}/purchases/me`);
  }
}
