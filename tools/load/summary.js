// handleSummary for every script here: k6 calls it once at the end of the test with all its
// metrics. It writes them as JSON to SUMMARY_FILE (when set; `flashsale load` and `bench` read
// that file) and prints a short report, thresholds first, on standard output.
//
//   export { handleSummary } from './summary.js';

function formatValue(name, value) {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(name === 'rate' ? 4 : 2);
}

function metricLine(name, metric) {
  const values = Object.entries(metric.values)
    .map(([stat, value]) => `${stat}=${formatValue(stat, value)}`)
    .join(' ');
  const unit = metric.contains === 'time' ? ' (ms)' : '';
  return `  ${name}${unit}: ${values}`;
}

function thresholdLines(metrics) {
  const lines = [];
  for (const [name, metric] of Object.entries(metrics)) {
    for (const [threshold, result] of Object.entries(metric.thresholds || {})) {
      lines.push(`  ${result.ok ? 'ok  ' : 'FAIL'} ${name}: ${threshold}`);
    }
  }
  return lines;
}

/** The end-of-test report as text: thresholds, then every metric's values. */
export function textReport(data) {
  const names = Object.keys(data.metrics).sort();
  const thresholds = thresholdLines(data.metrics);
  return [
    '',
    ...(thresholds.length > 0 ? ['thresholds:', ...thresholds] : []),
    'metrics:',
    ...names.map((name) => metricLine(name, data.metrics[name])),
    '',
  ].join('\n');
}

export function handleSummary(data) {
  const outputs = { stdout: textReport(data) };
  if (__ENV.SUMMARY_FILE) outputs[__ENV.SUMMARY_FILE] = JSON.stringify(data, null, 2);
  return outputs;
}
