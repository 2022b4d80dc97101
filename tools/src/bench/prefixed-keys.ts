// Kept here for the bench's imports; the implementation serves tests and tools alike.
export { deleteKeysUnderPrefix } from '@flashsale/runtime';
