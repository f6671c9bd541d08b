'use strict';

function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

const median = (values) => quantile(values, 0.5);

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Rounds to `digits` significant decimals for display and JSON. */
const round = (value, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

module.exports = { quantile, median, mean, round };
