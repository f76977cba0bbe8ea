#!/bin/sh
# The README quickstart as one runnable script: curl only (no jq), POSIX sh.
#
#   PARSEO_API_KEY=parseo_test_… sh examples/quickstart.sh
#   PARSEO_BASE_URL=https://api.example.com PARSEO_API_KEY=parseo_test_… sh examples/quickstart.sh
#
# Identity → a client and a contact → upload a small UBL invoice → poll its job → read the
# invoice → download the file. Every step checks the HTTP status; the first failure stops the
# script with a non-zero exit. Use a test key: a live upload costs one credit.
set -eu

BASE_URL=${PARSEO_BASE_URL:-http://localhost:3000}
BASE_URL=${BASE_URL%/}
API_KEY=${PARSEO_API_KEY:-}
API=$BASE_URL/external/v1

if [ -z "$API_KEY" ]; then
  echo "PARSEO_API_KEY is not set: export the test key the server printed (parseo_test_…)." >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/parseo-quickstart.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
run_id=$(date +%s)-$$

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# call METHOD PATH EXPECTED_STATUS [curl options…]: the body lands in $body, the status is checked.
call() {
  method=$1 path=$2 expected=$3
  shift 3
  status=$(curl -sS -o "$work/body" -w '%{http_code}' -X "$method" "$API$path" \
    -H "Authorization: Bearer $API_KEY" "$@") || fail "curl could not complete $method $API$path"
  body=$(cat "$work/body")
  [ "$status" = "$expected" ] || fail "$method $path answered HTTP $status (expected $expected): $body"
  echo "$method $path -> HTTP $status"
}

# json_string FIELD: the first "FIELD":"value" of $body (the API's JSON is compact, one line).
json_string() {
  printf '%s' "$body" | grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^.*:"\(.*\)"$/\1/'
}

step "1/7 Identity: GET /me"
call GET /me 200
mode=$(json_string mode)
echo "key mode: $mode, team: $(json_string teamName) ($(json_string teamSlug))"
[ "$mode" = test ] || echo "note: this is a live key; the upload below costs one credit."

step "2/7 Create a client: POST /clients"
call POST /clients 201 -H 'Content-Type: application/json' -H "Idempotency-Key: quickstart-client-$run_id" \
  -d '{"name":"Müller Bau GmbH","country":"DE","vatId":"DE123456789","metadata":{"source":"quickstart"}}'
client_id=$(json_string id)
[ -n "$client_id" ] || fail "no client id in: $body"
echo "client: $client_id"

step "3/7 Create a contact: POST /contacts"
call POST /contacts 201 -H 'Content-Type: application/json' \
  -d "{\"name\":\"Schmidt Elektro KG\",\"role\":\"supplier\",\"clientId\":\"$client_id\"}"
contact_id=$(json_string id)
[ -n "$contact_id" ] || fail "no contact id in: $body"
echo "contact: $contact_id"

step "4/7 Upload an invoice: POST /invoices (multipart)"
# A small but complete UBL 2.1 invoice (EN 16931): test mode answers a canned invoice for it,
# live mode really reads it.
cat > "$work/invoice.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>QS-$run_id</cbc:ID>
  <cbc:IssueDate>2026-01-15</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PostalAddress><cbc:CityName>Berlin</cbc:CityName><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>DE811907980</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Schmidt Elektro KG</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PostalAddress><cbc:CityName>München</cbc:CityName><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Müller Bau GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="HUR">1</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Electrical inspection</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
EOF
call POST /invoices 202 -F "file=@$work/invoice.xml;type=application/xml" -F "clientId=$client_id" \
  -F 'metadata={"erpId":"4711"}' -H "Idempotency-Key: quickstart-upload-$run_id"
job_id=$(json_string jobId)
[ -n "$job_id" ] || fail "no job id in: $body"
echo "job: $job_id"

step "5/7 Poll the job: GET /jobs/$job_id?waitSeconds=10"
attempt=0
while :; do
  attempt=$((attempt + 1))
  call GET "/jobs/$job_id?waitSeconds=10" 200
  job_status=$(json_string status)
  echo "job status: $job_status"
  case $job_status in
    completed) break ;;
    processing) [ "$attempt" -lt 6 ] || fail "job $job_id still processing after $attempt polls" ;;
    *) fail "job $job_id ended $job_status: $body" ;;
  esac
done
invoice_id=$(json_string invoiceId)
[ -n "$invoice_id" ] || fail "no invoice id in: $body"
echo "invoice: $invoice_id"

step "6/7 Read the invoice: GET /invoices/$invoice_id"
call GET "/invoices/$invoice_id" 200
echo "number: $(json_string invoiceNumber), type: $(json_string documentType), currency: $(json_string currency)"
echo "totals: $(printf '%s' "$body" | grep -o '"totals":{[^}]*}' | head -n 1)"

step "7/7 Download its file: GET /invoices/$invoice_id/file"
call GET "/invoices/$invoice_id/file" 200
cp "$work/body" "$work/downloaded"
cmp -s "$work/invoice.xml" "$work/downloaded" || fail "the downloaded file differs from the uploaded one"
echo "downloaded $(wc -c < "$work/downloaded" | tr -d ' ') bytes, identical to the upload"

printf '\nQuickstart completed: client %s, contact %s, job %s, invoice %s\n' "$client_id" "$contact_id" "$job_id" "$invoice_id"
