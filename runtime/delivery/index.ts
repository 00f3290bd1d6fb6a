export {
  createChannel,
  type Channel,
  type ChannelEvent,
  type ChannelOptions,
  type ChannelStats,
  type Delivered,
  type MessageHandler,
  type PublishMeta,
  type PublishResult,
  type Settlement,
} from './channel.js';
export { ChannelClosedError, ChannelFullError } from './errors.js';
export { defaultRetryPolicy, backoffDelay, retryPolicy, type RetryPolicy } from './retry.js';
export { Deduplicator, SequenceWindow, type SeenStatus } from './dedup.js';
export { createLink, type Link, type LinkConsumer, type LinkItem, type LinkOptions } from './link.js';
export { Slots } from './capacity.js';
