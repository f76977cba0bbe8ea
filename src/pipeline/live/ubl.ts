import type { InvoiceLine, Party } from '../../../drizzle/invoices.ts';
import type { AllowanceCharge, ExtractedInvoice } from '../types.ts';
import { decimal, documentTypeOf, requiredDecimal, isoDate, joinLines, party, taxTotalIn } from './values.ts';
import type { XmlElement } from './xml-element.ts';

/**
 * UBL 2.1 Invoice or CreditNote (EN 16931, PEPPOL BIS Billing 3.0, XRechnung UBL) to the invoice
 * object. Business terms (BT-…) name the EN 16931 field each value is.
 */
export function mapUbl(root: XmlElement, format: string): ExtractedInvoice {
  const creditNote = root.name === 'CreditNote';
  const currency = root.textAt('DocumentCurrencyCode');
  const totals = root.at('LegalMonetaryTotal');
  const lineName = creditNote ? 'CreditNoteLine' : 'InvoiceLine';
  return {
    documentType: documentTypeOf(root.textAt(creditNote ? 'CreditNoteTypeCode' : 'InvoiceTypeCode'), creditNote),
    invoiceNumber: root.textAt('ID'),
    issueDate: isoDate(root.textAt('IssueDate')),
    // BT-9: cbc:DueDate on an Invoice; a CreditNote carries it in its payment means.
    dueDate: isoDate(root.textAt('DueDate') ?? firstText(root.all('PaymentMeans'), 'PaymentDueDate')),
    currency,
    seller: partyOf(root.at('AccountingSupplierParty', 'Party')),
    buyer: partyOf(root.at('AccountingCustomerParty', 'Party')),
    lines: root.all(lineName).map((line, i) => lineOf(line, creditNote, `${lineName} ${i + 1}`)),
    allowanceCharges: root.all('AllowanceCharge').map((a, i) => allowanceChargeOf(a, `AllowanceCharge ${i + 1}`)),
    totals: {
      net: decimal(totals?.textAt('TaxExclusiveAmount') ?? null, 'TaxExclusiveAmount (BT-109)'),
      tax: taxTotalIn(currency, root.all('TaxTotal').flatMap((t) => t.all('TaxAmount')), 'TaxTotal/TaxAmount (BT-110)'),
      gross: decimal(totals?.textAt('TaxInclusiveAmount') ?? null, 'TaxInclusiveAmount (BT-112)'),
      due: decimal(totals?.textAt('PayableAmount') ?? null, 'PayableAmount (BT-115)'),
    },
    extraction: { method: 'structured', format, profile: root.textAt('CustomizationID') },
  };
}

const firstText = (elements: XmlElement[], name: string) => elements.map((e) => e.textAt(name)).find((t) => t !== null) ?? null;

function partyOf(node: XmlElement | undefined): Party | null {
  if (!node) return null;
  // BT-27/BT-44 is the legal name; cac:PartyName is the trading name, used only when it is all there is.
  const name = node.textAt('PartyLegalEntity', 'RegistrationName') ?? node.textAt('PartyName', 'Name');
  const vat = node.all('PartyTaxScheme').find((s) => s.textAt('TaxScheme', 'ID')?.toUpperCase() === 'VAT');
  const address = node.at('PostalAddress');
  return party(
    name,
    vat?.textAt('CompanyID') ?? null,
    address
      ? {
          line1: address.textAt('StreetName'),
          line2: joinLines(address.textAt('AdditionalStreetName'), address.textAt('AddressLine', 'Line')),
          city: address.textAt('CityName'),
          postalCode: address.textAt('PostalZone'),
          country: address.textAt('Country', 'IdentificationCode'),
        }
      : null,
  );
}

function lineOf(line: XmlElement, creditNote: boolean, where: string): InvoiceLine {
  return {
    description: line.textAt('Item', 'Name') ?? line.textAt('Item', 'Description'),
    quantity: decimal(line.textAt(creditNote ? 'CreditedQuantity' : 'InvoicedQuantity'), `${where}: quantity (BT-129)`),
    unitPrice: decimal(line.textAt('Price', 'PriceAmount'), `${where}: PriceAmount (BT-146)`),
    netAmount: decimal(line.textAt('LineExtensionAmount'), `${where}: LineExtensionAmount (BT-131)`),
    taxRate: decimal(line.textAt('Item', 'ClassifiedTaxCategory', 'Percent'), `${where}: Percent (BT-152)`),
  };
}

function allowanceChargeOf(node: XmlElement, where: string): AllowanceCharge {
  return {
    kind: node.textAt('ChargeIndicator')?.toLowerCase() === 'true' ? 'charge' : 'allowance',
    reason: node.textAt('AllowanceChargeReason') ?? node.textAt('AllowanceChargeReasonCode'),
    amount: requiredDecimal(node.textAt('Amount'), `${where}: Amount (BT-92/BT-99)`),
    taxRate: decimal(node.textAt('TaxCategory', 'Percent'), `${where}: Percent (BT-96/BT-103)`),
  };
}
