import { Pipe, type PipeTransform } from '@angular/core';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = formats.get(key);
  if (!format) {
    // dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields.
    format = new Intl.DateTimeFormat('en-US', {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    });
    formats.set(key, format);
  }
  return format;
}

/**
 * An instant as the viewer reads it, with the time zone named: `Jan 1, 2030, 11:00:00 AM
 * GMT+1`. `timeZone` defaults to the viewer's own (an IANA name, for tests and callers that
 * know better); an unparseable instant gives ''.
 */
export function formatLocalTime(iso: string, timeZone?: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : formatFor(timeZone).format(ms);
}

/** `{{ sale.startsAt | localTime }}`: see formatLocalTime. */
@Pipe({ name: 'localTime' })
export class LocalTimePipe implements PipeTransform {
  transform(iso: string, timeZone?: string): string {
    return formatLocalTime(iso, timeZone);
  }
}
