/**
 * The topic the relay streams confirmed purchases to and the persister reads them from
 * (key = sale name; docs/data-path.md). Every default of `KAFKA_TOPIC` is this constant.
 * The local stack creates it (stack/src/components/kafka.ts).
 */
export const purchasesTopic = 'flashsale.purchases';
