/** A FlashSale name is its Kubernetes metadata.name, restricted to a DNS label. */
export const saleNamePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isSaleName(value: string): boolean {
  return saleNamePattern.test(value);
}
