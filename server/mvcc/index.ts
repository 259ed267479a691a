export * from './bytes.js';
export * from './types.js';
export { KeyIndex, type KeyHistory, type RevisionAt } from './key-index.js';
export { MvccStore, WriteTxn, type HistoryReader, type WriteOutcome, type CommitListener } from './store.js';
export { applyPut, applyDeleteRange, applyTxn, evaluateCompare } from './txn.js';
export { checkRange, checkPut, checkDeleteRange, checkTxn } from './validate.js';
export { MemoryHistory } from './memory-history.js';
export { finishRange, effectiveSortOrder } from './range.js';
