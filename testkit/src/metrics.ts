/**
 * The value of one series of a process's /metrics, summed over the series whose labels
 * contain every `labels` pair; undefined when no series matches (the metric does not exist).
 */
export async function scrapeMetric(
  baseUrl: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (!wanted.every((pair) => labelText.includes(pair))) continue;
    total = (total ?? 0) + Number(match[3]);
  }
  return total;
}
