/**
 * The topic the relay streams confirmed purchases to and the persister reads them from
 * (key = sale name; docs/data-path.md). Every default of `KAFKA_TOPIC` is this constant.
 * This module imports nothing, so any workspace can take the name from here.
 */
export const purchasesTopic = 'flashsale.purchases';
