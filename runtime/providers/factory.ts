/** A provider by name, as a `.team` file or a CLI flag names it. */
import { createOpenAIProvider, type OpenAIProviderOptions } from './openai.js';
import { createReplayProvider, type ReplayOptions, type ReplayProvider } from './replay.js';
import { createSimProvider, type SimOptions, type SimProvider } from './sim.js';
import type { ModelProvider } from './types.js';

export const providerNames = ['openai', 'sim', 'replay'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface ProviderOptionsByName {
  openai: OpenAIProviderOptions;
  sim: SimOptions;
  replay: ReplayOptions;
}

export function createProvider(name: 'openai', options?: OpenAIProviderOptions): ModelProvider;
export function createProvider(name: 'sim', options?: SimOptions): SimProvider;
export function createProvider(name: 'replay', options: ReplayOptions): ReplayProvider;
export function createProvider<N extends ProviderName>(name: N, options: ProviderOptionsByName[N]): ModelProvider;
export function createProvider(name: string, options?: unknown): ModelProvider {
  switch (name) {
    case 'openai':
      return createOpenAIProvider(options as OpenAIProviderOptions | undefined);
    case 'sim':
      return createSimProvider(options as SimOptions | undefined);
    case 'replay':
      if (!options) throw new TypeError('the replay provider needs options: at least { cassette }');
      return createReplayProvider(options as ReplayOptions);
    default:
      throw new TypeError(`unknown provider "${name}" (known: ${providerNames.join(', ')})`);
  }
}
