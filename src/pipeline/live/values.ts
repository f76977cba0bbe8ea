import type { Party } from '../../../drizzle/invoices.ts';
import { ExtractionError, type ExtractedInvoice } from '../types.ts';
import type { XmlElement } from './xml-element.ts';

/**
 * UNTDID 1001 codes that mean "credit note". 384 (corrected invoice) and 389 (self-billed
 * invoice, the German "Gutschrift") are invoices, however their names are translated.
 */
const CREDIT_NOTE_TYPE_CODES = new Set(['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532']);

export function documentTypeOf(typeCode: string | null, creditNoteRoot = false): ExtractedInvoice['documentType'] {
  return creditNoteRoot || (typeCode !== null && CREDIT_NOTE_TYPE_CODES.has(typeCode)) ? 'credit_note' : 'invoice';
}

const XSD_DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * An amount exactly as written. Only xsd:decimal spellings the API's money format cannot carry
 * change form ("+5" → "5", ".5" → "0.5", "5." → "5"); the value and its digits never change.
 * Anything that is not a decimal refuses the document: an amount is never guessed.
 */
export function decimal(text: string | null, field: string): string | null {
  if (text === null) return null;
  const m = XSD_DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new ExtractionError('extraction.invalid_document', `${field} is not a decimal number. Amounts are never guessed, so the file was not read.`);
  }
  const whole = m[2] === '' ? '0' : m[2]!;
  const fraction = m[3] ? `.${m[3]}` : '';
  return `${m[1] === '-' ? '-' : ''}${whole}${fraction}`;
}

/** A decimal the document must carry (an allowance's amount): missing is as bad as malformed. */
export function requiredDecimal(text: string | null, field: string): string {
  const value = decimal(text, field);
  if (value === null) throw new ExtractionError('extraction.invalid_document', `${field} is missing.`);
  return value;
}

/** YYYY-MM-DD from `2026-01-15`, `2026-01-15+01:00` or CII format 102 `20260115`; else null. */
export function isoDate(text: string | null): string | null {
  if (text === null) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|[TZ+-])/.exec(text);
  if (!m) return null;
  const [, year, month, day] = m as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  return real ? `${year}-${month}-${day}` : null;
}

/**
 * The tax total in the document's currency. EN 16931 allows a second one in the tax accounting
 * currency (BT-111), which must not be taken for the invoice's own.
 */
export function taxTotalIn(currency: string | null, amounts: XmlElement[], field: string): string | null {
  const chosen = amounts.length === 1 ? amounts[0] : (amounts.find((a) => a.attr('currencyID') === currency) ?? amounts.find((a) => a.attr('currencyID') === null));
  return chosen ? decimal(chosen.text === '' ? null : chosen.text, field) : null;
}

export type AddressParts = { line1: string | null; line2: string | null; city: string | null; postalCode: string | null; country: string | null };

export function party(name: string | null, vatId: string | null, address: AddressParts | null): Party | null {
  const hasAddress = address !== null && Object.values(address).some((v) => v !== null);
  if (name === null && vatId === null && !hasAddress) return null;
  return { name, vatId, address: hasAddress ? address : null };
}

export function joinLines(...parts: (string | null)[]): string | null {
  const present = parts.filter((p): p is string => p !== null);
  return present.length > 0 ? present.join(', ') : null;
}
