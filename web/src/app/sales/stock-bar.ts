import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** What is left of the stock, as a bar and in words. */
@Component({
  selector: 'fs-stock-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div
      class="track"
      role="meter"
      aria-valuemin="0"
      [attr.aria-valuemax]="stock()"
      [attr.aria-valuenow]="remaining()"
      [attr.aria-valuetext]="text()"
      [attr.aria-label]="label()"
    >
      <div class="fill" [class.low]="low()" [style.width.%]="percent()"></div>
    </div>
    <p class="text">{{ text() }}</p>
  `,
  styles: `
    :host {
      display: block;
    }
    .track {
      height: 0.75rem;
      border-radius: 999px;
      background: #e5e7eb;
      overflow: hidden;
      border: 1px solid #9ca3af;
    }
    .fill {
      height: 100%;
      background: #047857;
    }
    .fill.low {
      background: #b91c1c;
    }
    .text {
      margin: 0.25rem 0 0;
      font-size: 0.875rem;
      color: #374151;
    }
  `,
})
export class StockBar {
  readonly remaining = input.required<number>();
  readonly stock = input.required<number>();
  readonly label = input('Stock left');

  readonly percent = computed(() => {
    const stock = this.stock();
    return stock > 0 ? Math.max(0, Math.min(100, (this.remaining() / stock) * 100)) : 0;
  });
  readonly low = computed(() => this.percent() <= 10);
  readonly text = computed(() => `${this.remaining()} of ${this.stock()} left`);
}
