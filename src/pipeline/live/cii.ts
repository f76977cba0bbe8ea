import type { InvoiceLine, Party } from '../../../drizzle/invoices.ts';
import type { AllowanceCharge, ExtractedInvoice } from '../types.ts';
import { decimal, documentTypeOf, isoDate, joinLines, party, requiredDecimal, taxTotalIn } from './values.ts';
import type { XmlElement } from './xml-element.ts';

/**
 * The element names of the two CII generations: UN/CEFACT D16B `CrossIndustryInvoice` (EN 16931,
 * Factur-X, ZUGFeRD 2.x, XRechnung CII) and the legacy ZUGFeRD 1.0 `CrossIndustryDocument`.
 * The structure is the same; the wrappers were renamed.
 */
const vocabularies = {
  d16b: {
    context: 'ExchangedDocumentContext',
    header: 'ExchangedDocument',
    transaction: 'SupplyChainTradeTransaction',
    agreement: 'ApplicableHeaderTradeAgreement',
    settlement: 'ApplicableHeaderTradeSettlement',
    summation: 'SpecifiedTradeSettlementHeaderMonetarySummation',
    lineAgreement: 'SpecifiedLineTradeAgreement',
    lineDelivery: 'SpecifiedLineTradeDelivery',
    lineSettlement: 'SpecifiedLineTradeSettlement',
    lineSummation: 'SpecifiedTradeSettlementLineMonetarySummation',
    ratePercent: 'RateApplicablePercent',
  },
  zugferd1: {
    context: 'SpecifiedExchangedDocumentContext',
    header: 'HeaderExchangedDocument',
    transaction: 'SpecifiedSupplyChainTradeTransaction',
    agreement: 'ApplicableSupplyChainTradeAgreement',
    settlement: 'ApplicableSupplyChainTradeSettlement',
    summation: 'SpecifiedTradeSettlementMonetarySummation',
    lineAgreement: 'SpecifiedSupplyChainTradeAgreement',
    lineDelivery: 'SpecifiedSupplyChainTradeDelivery',
    lineSettlement: 'SpecifiedSupplyChainTradeSettlement',
    lineSummation: 'SpecifiedTradeSettlementMonetarySummation',
    ratePercent: 'ApplicablePercent',
  },
};
type Vocabulary = (typeof vocabularies)[keyof typeof vocabularies];

export function mapCii(root: XmlElement, format: string): ExtractedInvoice {
  const v = root.name === 'CrossIndustryDocument' ? vocabularies.zugferd1 : vocabularies.d16b;
  const header = root.at(v.header);
  const transaction = root.at(v.transaction);
  const agreement = transaction?.at(v.agreement);
  const settlement = transaction?.at(v.settlement);
  const summation = settlement?.at(v.summation);
  const currency = settlement?.textAt('InvoiceCurrencyCode') ?? null;
  const amount = (name: string, bt: string) => decimal(summation?.textAt(name) ?? null, `${name} (${bt})`);
  return {
    documentType: documentTypeOf(header?.textAt('TypeCode') ?? null),
    invoiceNumber: header?.textAt('ID') ?? null,
    issueDate: dateOf(header?.at('IssueDateTime')),
    // EXTENDED allows several payment terms; BT-9 is the first due date in document order.
    dueDate: (settlement?.all('SpecifiedTradePaymentTerms') ?? []).map((t) => dateOf(t.at('DueDateDateTime'))).find((d) => d !== null) ?? null,
    currency,
    seller: partyOf(agreement?.at('SellerTradeParty')),
    buyer: partyOf(agreement?.at('BuyerTradeParty')),
    lines: (transaction?.all('IncludedSupplyChainTradeLineItem') ?? []).map((line, i) => lineOf(line, v, `Line item ${i + 1}`)),
    allowanceCharges: settlement ? allowanceChargesOf(settlement, v) : [],
    totals: {
      net: amount('TaxBasisTotalAmount', 'BT-109'),
      tax: taxTotalIn(currency, summation?.all('TaxTotalAmount') ?? [], 'TaxTotalAmount (BT-110)'),
      gross: amount('GrandTotalAmount', 'BT-112'),
      due: amount('DuePayableAmount', 'BT-115'),
    },
    extraction: { method: 'structured', format, profile: root.textAt(v.context, 'GuidelineSpecifiedDocumentContextParameter', 'ID') },
  };
}

/** udt:DateTimeString, format 102 (YYYYMMDD) being the one EN 16931 allows. */
function dateOf(node: XmlElement | undefined): string | null {
  const value = node?.at('DateTimeString');
  if (!value) return null;
  const format = value.attr('format');
  return format === null || format === '102' ? isoDate(value.text || null) : null;
}

function partyOf(node: XmlElement | undefined): Party | null {
  if (!node) return null;
  // schemeID "VA" is the VAT identifier; "FC" is a national tax number, not a VAT ID.
  const vat = node.all('SpecifiedTaxRegistration').find((r) => r.at('ID')?.attr('schemeID') === 'VA');
  const address = node.at('PostalTradeAddress');
  return party(
    node.textAt('Name'),
    vat?.textAt('ID') ?? null,
    address
      ? {
          line1: address.textAt('LineOne'),
          line2: joinLines(address.textAt('LineTwo'), address.textAt('LineThree')),
          city: address.textAt('CityName'),
          postalCode: address.textAt('PostcodeCode'),
          country: address.textAt('CountryID'),
        }
      : null,
  );
}

function lineOf(line: XmlElement, v: Vocabulary, where: string): InvoiceLine {
  const agreement = line.at(v.lineAgreement);
  const settlement = line.at(v.lineSettlement);
  const price = agreement?.textAt('NetPriceProductTradePrice', 'ChargeAmount') ?? agreement?.textAt('GrossPriceProductTradePrice', 'ChargeAmount') ?? null;
  return {
    description: line.textAt('SpecifiedTradeProduct', 'Name') ?? line.textAt('SpecifiedTradeProduct', 'Description'),
    quantity: decimal(line.textAt(v.lineDelivery, 'BilledQuantity'), `${where}: BilledQuantity (BT-129)`),
    unitPrice: decimal(price, `${where}: ChargeAmount (BT-146)`),
    netAmount: decimal(settlement?.textAt(v.lineSummation, 'LineTotalAmount') ?? null, `${where}: LineTotalAmount (BT-131)`),
    taxRate: decimal(settlement?.textAt('ApplicableTradeTax', v.ratePercent) ?? null, `${where}: ${v.ratePercent} (BT-152)`),
  };
}

/** Document-level allowances and charges (BG-20, BG-21), plus EXTENDED / 1.0 logistics charges. */
function allowanceChargesOf(settlement: XmlElement, v: Vocabulary): AllowanceCharge[] {
  const adjustments = settlement.all('SpecifiedTradeAllowanceCharge').map(
    (node, i): AllowanceCharge => ({
      kind: node.textAt('ChargeIndicator', 'Indicator')?.toLowerCase() === 'true' ? 'charge' : 'allowance',
      reason: node.textAt('Reason') ?? node.textAt('ReasonCode'),
      amount: requiredDecimal(node.textAt('ActualAmount'), `Allowance/charge ${i + 1}: ActualAmount (BT-92/BT-99)`),
      taxRate: decimal(node.textAt('CategoryTradeTax', v.ratePercent), `Allowance/charge ${i + 1}: ${v.ratePercent} (BT-96/BT-103)`),
    }),
  );
  const logistics = settlement.all('SpecifiedLogisticsServiceCharge').map(
    (node, i): AllowanceCharge => ({
      kind: 'charge',
      reason: node.textAt('Description'),
      amount: requiredDecimal(node.textAt('AppliedAmount'), `Logistics charge ${i + 1}: AppliedAmount`),
      taxRate: decimal(node.textAt('AppliedTradeTax', v.ratePercent), `Logistics charge ${i + 1}: ${v.ratePercent}`),
    }),
  );
  return [...adjustments, ...logistics];
}
