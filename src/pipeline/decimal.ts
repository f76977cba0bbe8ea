/**
 * Exact decimal arithmetic for money strings: values become integers of 10⁻¹² units (BigInt),
 * so "0.1" + "0.2" is exactly "0.3" and nothing passes through a float.
 */
const SCALE_DIGITS = 12;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export function isDecimal(value: string): boolean {
  const m = DECIMAL.exec(value);
  return m !== null && (m[3]?.length ?? 0) <= SCALE_DIGITS;
}

export function toUnits(value: string): bigint {
  const m = DECIMAL.exec(value.trim());
  if (!m || (m[3]?.length ?? 0) > SCALE_DIGITS) throw new Error(`not a decimal: ${value}`);
  const fraction = (m[3] ?? '').padEnd(SCALE_DIGITS, '0');
  const units = BigInt(m[2]!) * SCALE + BigInt(fraction);
  return m[1] === '-' ? -units : units;
}

export function fromUnits(units: bigint, fractionDigits = 2): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0');
  let shown = fraction.slice(0, Math.max(fractionDigits, fraction.replace(/0+$/, '').length));
  if (shown.length > 0) shown = `.${shown}`;
  return `${negative ? '-' : ''}${whole}${shown}`;
}

export function sum(values: string[]): bigint {
  return values.reduce((acc, v) => acc + toUnits(v), 0n);
}
