import { TestBed } from '@angular/core/testing';
import { StockBar } from './stock-bar';

describe('StockBar', () => {
  it('shows what is left as an accessible meter and in words', async () => {
    const fixture = TestBed.createComponent(StockBar);
    fixture.componentRef.setInput('remaining', 1);
    fixture.componentRef.setInput('stock', 20);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const meter = element.querySelector('[role="meter"]');
    expect(meter?.getAttribute('aria-valuemax')).toBe('20');
    expect(meter?.getAttribute('aria-valuenow')).toBe('1');
    expect(element.querySelector<HTMLElement>('.fill')?.style.width).toBe('5%');
    expect(element.querySelector('.fill')?.classList).toContain('low');
    expect(element.textContent).toContain('1 of 20 left');
  });
});
