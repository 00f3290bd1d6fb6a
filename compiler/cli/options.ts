/**
 * Option values the command definitions need before a command runs. They live apart from the
 * commands so that `main.ts` can load each command's module lazily: a cold `teamc check` must not
 * pay for loading the runtime, the OpenAI SDK or the language server.
 */
export const checkFormats = ['pretty', 'json', 'sarif', 'github'] as const;

export const runProviders = ['sim', 'openai', 'replay'] as const;

export const DEFAULT_RUNS = 100;
