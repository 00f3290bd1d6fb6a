export {
  createReorderBuffer,
  type BufferKind,
  type OrderedItem,
  type Position,
  type ReorderBuffer,
} from './buffer.js';
export { createSequencer, type Sequencer } from './sequencer.js';
