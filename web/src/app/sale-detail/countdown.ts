import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** `1d 02:03:04`, `02:03:04` or `03:04` for a duration in ms (never negative). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (value: number): string => String(value).padStart(2, '0');
  const clock =
    hours > 0 || days > 0
      ? `${two(hours)}:${two(minutes)}:${two(seconds)}`
      : `${two(minutes)}:${two(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** A ticking duration; role=timer is not announced on every tick by screen readers. */
@Component({
  selector: 'fs-countdown',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { role: 'timer' },
  template: `{{ text() }}`,
  styles: `
    :host {
      font-variant-numeric: tabular-nums;
      font-weight: 700;
    }
  `,
})
export class Countdown {
  readonly ms = input.required<number>();
  readonly text = computed(() => formatDuration(this.ms()));
}
