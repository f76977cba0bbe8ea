/** Every event type, with when it is emitted. Endpoints subscribe to a list of these, or ['*']. */
export const eventTypes = {
  'job.completed': 'An upload’s job completed; `data.object` is the job (with `invoiceId`).',
  'job.failed': 'An upload’s job failed; `data.object` is the job with its `error`.',
  'invoice.created': 'A job produced an invoice.',
  'invoice.updated': 'An invoice was changed through the API.',
  'invoice.deleted': 'An invoice was deleted; `data.object` is its last state.',
  'contact.created': 'A contact was created.',
  'contact.updated': 'A contact was changed.',
  'contact.deleted': 'A contact was deleted; `data.object` is its last state.',
  'client.created': 'A client was created.',
  'client.updated': 'A client was changed.',
  'client.deleted': 'A client was deleted; `data.object` is its last state.',
  'webhook.ping': 'Sent to one endpoint by `POST /webhooks/{id}/ping`.',
} as const;

export type EventType = keyof typeof eventTypes;
export const EVENT_TYPES = Object.keys(eventTypes) as [EventType, ...EventType[]];
export const DELIVERIES_CHANNEL = 'parseo_deliveries';
