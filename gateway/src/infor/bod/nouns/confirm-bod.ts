import { required } from '../envelope';
import { attr, child, children, compact, path, type XmlNode } from '../xml';
import type { NounCodec } from './codec';

export interface ConfirmMessage {
  description: string;
  /** Error | Warning | Information */
  type: string;
  /** our stable error code, e.g. BOD_UNKNOWN_NOUN or M3_NOK */
  reasonCode?: string;
}

/** ConfirmBOD: tells ION (and its sender) what happened to a BOD — here, why it was rejected. */
export interface ConfirmBod {
  original: { logicalId: string; componentId?: string; creationDateTime?: string; bodId: string };
  /** ResponseExpression@actionCode */
  outcome: 'Rejected' | 'Accepted' | 'Modified';
  messages: ConfirmMessage[];
}

export const confirmBodCodec: NounCodec<ConfirmBod> = {
  noun: 'BOD',
  decode(node: XmlNode, verbElement: XmlNode): ConfirmBod {
    const original = child(verbElement, 'OriginalApplicationArea');
    const failure = child(node, 'BODFailureMessage');
    const success = child(node, 'BODSuccessMessage');
    const messages = children(failure ?? success, 'ErrorProcessMessage').map((m) => ({
      description: path(m, 'Description') ?? '',
      type: path(m, 'Type') ?? 'Error',
      reasonCode: path(m, 'ReasonCode'),
    }));
    const outcome = attr(child(child(verbElement, 'ResponseCriteria'), 'ResponseExpression'), 'actionCode');
    return {
      original: {
        logicalId: required(path(original, 'Sender', 'LogicalID'), 'Confirm/OriginalApplicationArea/Sender/LogicalID'),
        componentId: path(original, 'Sender', 'ComponentID'),
        creationDateTime: path(original, 'CreationDateTime'),
        bodId: required(path(original, 'BODID'), 'Confirm/OriginalApplicationArea/BODID'),
      },
      outcome: outcome === 'Accepted' || outcome === 'Modified' ? outcome : 'Rejected',
      messages,
    };
  },
  encodeVerb(model: ConfirmBod) {
    return {
      OriginalApplicationArea: compact({
        Sender: compact({ LogicalID: model.original.logicalId, ComponentID: model.original.componentId }),
        CreationDateTime: model.original.creationDateTime,
        BODID: model.original.bodId,
      }),
      ResponseCriteria: { ResponseExpression: { '@actionCode': model.outcome } },
    };
  },
  encode(model: ConfirmBod): XmlNode {
    const messages = model.messages.map((m) => compact({ Description: m.description, Type: m.type, ReasonCode: m.reasonCode }));
    return model.outcome === 'Rejected' ? { BODFailureMessage: { ErrorProcessMessage: messages } } : { BODSuccessMessage: compact({ ErrorProcessMessage: messages }) };
  },
};
