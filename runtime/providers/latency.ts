/**
 * Simulated model latency: log-normal around the model's median (most calls land near it), with a
 * small share of stragglers stretched by a Pareto factor — the heavy tail that makes hedging and
 * timeouts matter. Drawn from the injected Random, so a seed fixes every call's latency.
 */
import type { Random } from '../random.js';

export interface LatencyOptions {
  /** Spread of the log-normal body (σ of ln latency). Default 0.25: most calls within ±30%. */
  sigma?: number;
  /** Share of calls that straggle. Default 0.05. */
  stragglerRate?: number;
  /** Pareto shape of a straggler's extra factor (smaller = heavier tail). Default 1.5. */
  stragglerAlpha?: number;
  /** A straggler is at least this many times slower. Default 2. */
  stragglerMinFactor?: number;
  /** No call is slower than this multiple of the median. Default 50. */
  maxFactor?: number;
}

/** One call's latency in whole ms (at least 1) for a model whose median is `medianMs`. */
export function sampleLatency(medianMs: number, random: Random, options: LatencyOptions = {}): number {
  const sigma = options.sigma ?? 0.25;
  let factor = Math.exp(sigma * standardNormal(random));
  if (random.chance(options.stragglerRate ?? 0.05)) {
    // Inverse-CDF Pareto: x_m · U^(-1/α), U in (0, 1].
    factor *= (options.stragglerMinFactor ?? 2) * Math.pow(1 - random.next(), -1 / (options.stragglerAlpha ?? 1.5));
  }
  factor = Math.min(factor, options.maxFactor ?? 50);
  return Math.max(1, Math.round(medianMs * factor));
}

/** Box–Muller: a standard normal from two uniforms. */
function standardNormal(random: Random): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
