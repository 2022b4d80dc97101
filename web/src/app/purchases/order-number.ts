/**
 * The order number a person reads out or types: the first 8 letters and digits of the
 * purchase id, upper-case, in two groups of four (`3F2A-9C1E`). The full id stays the
 * reference (title, copy button); 8 hex digits tell a buyer's own orders apart.
 */
export function orderNumber(purchaseId: string): string {
  const head = purchaseId
    .replace(/[^0-9a-z]/gi, '')
    .slice(0, 8)
    .toUpperCase();
  return head.length > 4 ? `${head.slice(0, 4)}-${head.slice(4)}` : head;
}
