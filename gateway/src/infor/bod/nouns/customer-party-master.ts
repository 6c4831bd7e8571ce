import { readId, required, writeId, type BodId } from '../envelope';
import { child, children, compact, path, type XmlNode } from '../xml';
import type { NounCodec } from './codec';
import { readAddress, writeAddress, type PostalAddress } from './common';

/** M3 customer (CRS610 / OCUSMA) as ION publishes it in Sync.CustomerPartyMaster. */
export interface CustomerPartyMaster {
  /** CUNO with accountingEntity/variationID */
  id: BodId;
  name: string;
  lastModificationDateTime?: string;
  /** M3 status, e.g. "20" active */
  status?: string;
  address?: PostalAddress;
  email?: string;
  phone?: string;
  /** CUCD */
  currencyCode?: string;
  /** TEPY */
  paymentTermCode?: string;
}

export const customerPartyMasterCodec: NounCodec<CustomerPartyMaster> = {
  noun: 'CustomerPartyMaster',
  decode(node: XmlNode): CustomerPartyMaster {
    const id = readId(child(child(node, 'PartyIDs'), 'ID'));
    const communication = children(node, 'Communication');
    const channel = (code: string) => communication.find((c) => path(c, 'ChannelCode') === code);
    return {
      id: required(id?.value ? id : undefined, 'CustomerPartyMaster/PartyIDs/ID'),
      name: required(path(node, 'Name'), 'CustomerPartyMaster/Name'),
      lastModificationDateTime: path(node, 'LastModificationDateTime'),
      status: path(node, 'Status', 'Code'),
      address: readAddress(child(child(node, 'Location'), 'Address')),
      email: path(channel('EMail'), 'URI'),
      phone: path(channel('Telephone'), 'DialNumber'),
      currencyCode: path(node, 'CustomerAccount', 'CurrencyCode'),
      paymentTermCode: path(node, 'CustomerAccount', 'PaymentTermCode'),
    };
  },
  encode(model: CustomerPartyMaster): XmlNode {
    const communication: XmlNode[] = [];
    if (model.phone) communication.push({ ChannelCode: 'Telephone', DialNumber: model.phone });
    if (model.email) communication.push({ ChannelCode: 'EMail', URI: model.email });
    return compact({
      PartyIDs: { ID: writeId(model.id) },
      LastModificationDateTime: model.lastModificationDateTime,
      Name: model.name,
      Location: model.address ? { Address: writeAddress(model.address) } : undefined,
      Communication: communication,
      Status: model.status ? { Code: model.status } : undefined,
      CustomerAccount:
        model.currencyCode || model.paymentTermCode
          ? compact({ CurrencyCode: model.currencyCode, PaymentTermCode: model.paymentTermCode })
          : undefined,
    });
  },
};
