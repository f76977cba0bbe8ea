import { fromUnits, isDecimal, sum, toUnits } from './decimal.ts';
import type { ExtractedInvoice } from './types.ts';

export type Warning = { code: string; message: string };

/**
 * Checks the invoice's arithmetic without changing it: a mismatch is reported, never "fixed".
 * lines − allowances + charges = net, and net + tax = gross.
 */
export function crossCheck(invoice: ExtractedInvoice): Warning[] {
  const warnings: Warning[] = [];
  const { net, tax, gross } = invoice.totals;
  const lineAmounts = invoice.lines.map((l) => l.netAmount);
  const adjustments = invoice.allowanceCharges.map((a) => a.amount);

  if (net !== null && isDecimal(net) && lineAmounts.every((a): a is string => a !== null && isDecimal(a)) && adjustments.every(isDecimal)) {
    const allowances = sum(invoice.allowanceCharges.filter((a) => a.kind === 'allowance').map((a) => a.amount));
    const charges = sum(invoice.allowanceCharges.filter((a) => a.kind === 'charge').map((a) => a.amount));
    const expected = sum(lineAmounts) - allowances + charges;
    if (invoice.lines.length > 0 && expected !== toUnits(net)) {
      warnings.push({
        code: 'totals.lines_mismatch',
        message: `The lines add up to ${fromUnits(expected)} after allowances and charges, but the net total says ${net}.`,
      });
    }
  }
  if (net !== null && tax !== null && gross !== null && [net, tax, gross].every(isDecimal)) {
    const expected = toUnits(net) + toUnits(tax);
    if (expected !== toUnits(gross)) {
      warnings.push({ code: 'totals.gross_mismatch', message: `Net ${net} plus tax ${tax} is ${fromUnits(expected)}, but the gross total says ${gross}.` });
    }
  }
  return warnings;
}
