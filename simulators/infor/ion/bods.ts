import { randomUUID } from 'node:crypto';
import { formatCents } from '../money';
import { openCents, type Customer, type Invoice } from '../state';

/**
 * The BODs M3 publishes through ION that the gateway consumes. Envelope as M3 writes it
 * (Infor OAGIS namespace, Sender lid://infor.m3.m3 / M3BE, GUID BODID); the noun content of
 * M3's Sync.Invoice and Sync.CustomerPartyMaster is not confirmed element by element, so it
 * follows OAGIS naming (inferred).
 */
export const OAGIS_NS = 'http://schema.infor.com/InforOAGIS/2';
export const M3_LOGICAL_ID = 'lid://infor.m3.m3';

export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** yyyyMMdd → ISO date-time at midnight UTC */
const isoDate = (yyyymmdd: string): string => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00Z`;

export interface Bod {
  documentName: string;
  bodId: string;
  accountingEntity: string;
  documentId: string;
  xml: string;
}

function envelope(verb: string, noun: string, tenant: string, accountingEntity: string, body: string): { bodId: string; xml: string } {
  const bodId = randomUUID();
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<${verb}${noun} xmlns="${OAGIS_NS}" releaseID="9.2" versionID="2.14.3" systemEnvironmentCode="Production" languageCode="en-US">
  <ApplicationArea>
    <Sender>
      <LogicalID>${M3_LOGICAL_ID}</LogicalID>
      <ComponentID>M3BE</ComponentID>
      <ConfirmationCode>OnError</ConfirmationCode>
    </Sender>
    <CreationDateTime>${new Date().toISOString()}</CreationDateTime>
    <BODID>${bodId}</BODID>
  </ApplicationArea>
  <DataArea>
    <${verb}>
      <TenantID>${escapeXml(tenant)}</TenantID>
      <AccountingEntityID>${escapeXml(accountingEntity)}</AccountingEntityID>
      <ActionCriteria><ActionExpression actionCode="Replace"/></ActionCriteria>
    </${verb}>
${body}
  </DataArea>
</${verb}${noun}>
`;
  return { bodId, xml };
}

export function syncInvoice(tenant: string, cono: number, invoice: Invoice, customer: Customer | undefined): Bod {
  const ae = `${cono}_${invoice.divi}`;
  const amount = formatCents(invoice.amountCents);
  const open = formatCents(openCents(invoice));
  const status = openCents(invoice) === 0 ? 'Paid' : invoice.paidCents > 0 ? 'PartiallyPaid' : 'Open';
  const id = `${invoice.ivno}`;
  const body = `    <Invoice>
      <InvoiceHeader>
        <DocumentID><ID accountingEntity="${ae}" variationID="1" lid="${M3_LOGICAL_ID}">${id}</ID></DocumentID>
        <DisplayID>${id}</DisplayID>
        <DocumentDateTime>${isoDate(invoice.ivdt)}</DocumentDateTime>
        <Status><Code>${status}</Code></Status>
        <FiscalYear>${invoice.yea4}</FiscalYear>
        <CustomerParty>
          <PartyIDs><ID accountingEntity="${ae}">${escapeXml(invoice.cuno)}</ID></PartyIDs>
          <Name>${escapeXml(customer?.fields.CUNM ?? '')}</Name>
        </CustomerParty>
        <PayFromParty><PartyIDs><ID accountingEntity="${ae}">${escapeXml(invoice.pyno)}</ID></PartyIDs></PayFromParty>
        <ExtendedAmount currencyID="${invoice.cucd}">${amount}</ExtendedAmount>
        <TotalAmount currencyID="${invoice.cucd}">${amount}</TotalAmount>
        <OpenAmount currencyID="${invoice.cucd}">${open}</OpenAmount>
        <PaymentTerm>
          <PaymentTermCode listID="Payment Term">${escapeXml(invoice.tepy)}</PaymentTermCode>
          <Term><DueDateTime>${isoDate(invoice.dudt)}</DueDateTime></Term>
        </PaymentTerm>
        <PaymentMethodCode listID="Payment Method">${escapeXml(invoice.pycd)}</PaymentMethodCode>${
          invoice.orno ? `\n        <SalesOrderReference><DocumentID><ID accountingEntity="${ae}">${escapeXml(invoice.orno)}</ID></DocumentID></SalesOrderReference>` : ''
        }
      </InvoiceHeader>
    </Invoice>`;
  const { bodId, xml } = envelope('Sync', 'Invoice', tenant, ae, body);
  return { documentName: 'Sync.Invoice', bodId, accountingEntity: ae, documentId: id, xml };
}

export function syncCustomerPartyMaster(tenant: string, cono: number, customer: Customer): Bod {
  const ae = `${cono}_${customer.divi}`;
  const f = customer.fields;
  const lines = [f.CUA1, f.CUA2, f.CUA3, f.CUA4].filter((l): l is string => Boolean(l));
  const body = `    <CustomerPartyMaster>
      <PartyIDs><ID accountingEntity="${ae}" lid="${M3_LOGICAL_ID}">${escapeXml(customer.cuno)}</ID></PartyIDs>
      <LastModificationDateTime>${new Date().toISOString()}</LastModificationDateTime>
      <Name>${escapeXml(f.CUNM ?? '')}</Name>
      <Location>
        <Address type="text">
${lines.map((l, i) => `          <AddressLine sequence="${i + 1}">${escapeXml(l)}</AddressLine>`).join('\n')}
          <CityName>${escapeXml(f.TOWN ?? '')}</CityName>
          <CountrySubDivisionCode>${escapeXml(f.ECAR ?? '')}</CountrySubDivisionCode>
          <CountryCode listID="Countries">${escapeXml(f.CSCD ?? '')}</CountryCode>
          <PostalCode>${escapeXml(f.PONO ?? '')}</PostalCode>
        </Address>
      </Location>
      <Communication><ChannelCode>Telephone</ChannelCode><DialNumber>${escapeXml(f.PHNO ?? '')}</DialNumber></Communication>
      <Communication><ChannelCode>EMail</ChannelCode><URI>${escapeXml(f.MAIL ?? '')}</URI></Communication>
      <Status><Code>${f.STAT === '20' ? 'Active' : 'Inactive'}</Code></Status>
      <CustomerAccount>
        <CurrencyCode>${escapeXml(f.CUCD ?? '')}</CurrencyCode>
        <PaymentTermCode listID="Payment Term">${escapeXml(f.TEPY ?? '')}</PaymentTermCode>
        <PaymentMethodCode listID="Payment Method">${escapeXml(f.PYCD ?? '')}</PaymentMethodCode>
        <PayFromPartyID>${escapeXml(f.PYNO ?? customer.cuno)}</PayFromPartyID>
        <CreditHold>${f.BLCD !== undefined && f.BLCD !== '0'}</CreditHold>
      </CustomerAccount>
    </CustomerPartyMaster>`;
  const { bodId, xml } = envelope('Sync', 'CustomerPartyMaster', tenant, ae, body);
  return { documentName: 'Sync.CustomerPartyMaster', bodId, accountingEntity: ae, documentId: customer.cuno, xml };
}
