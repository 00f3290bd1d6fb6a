export class ChannelFullError extends Error {
  constructor(
    readonly channel: string,
    readonly capacity: number,
  ) {
    super(`channel '${channel}' is full (capacity ${capacity}, backpressure reject)`);
    this.name = 'ChannelFullError';
  }
}

export class ChannelClosedError extends Error {
  constructor(readonly channel: string) {
    super(`channel '${channel}' is closed`);
    this.name = 'ChannelClosedError';
  }
}
