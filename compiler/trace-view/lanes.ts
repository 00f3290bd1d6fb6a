/**
 * Which row each event lands on. An agent is one lane, unless its policies and breakers name two
 * or more replica instances (`reviewer#0`, `reviewer#1`): then it gets a header lane (its messages,
 * anything not tied to one instance) with one sub-lane per instance. Lanes are handed out while
 * the trace is read and numbered at the end, agents in order of first appearance.
 */
import type { Lane } from './model.js';

/** The instance a policy or breaker name denotes: `reviewer#2` of agent `reviewer` is 2. */
export function instanceOf(name: unknown, agent: string): number | undefined {
  // Trace text, not typed data: a hand-written trace may put anything in `policy`.
  if (typeof name !== 'string' || !name.startsWith(`${agent}#`)) return undefined;
  const suffix = name.slice(agent.length + 1);
  return /^\d{1,9}$/.test(suffix) ? Number(suffix) : undefined;
}

interface AgentLanes {
  main?: number;
  instances: Map<number, number>;
  /** Agents drawn right below this one (fallback stand-ins below the agent they stand in for). */
  followers: string[];
  following?: string;
}

export class LaneAllocator {
  private readonly agents = new Map<string, AgentLanes>();
  private slots = 0;

  /** `replicated`: the agents seen with two or more instances. */
  constructor(private readonly replicated: ReadonlySet<string>) {}

  /** Draws `agent` right below `anchor`, unless `agent` already has a place of its own. */
  follow(agent: string, anchor: string): void {
    if (agent === anchor || this.agents.has(agent)) return;
    this.agents.set(agent, { instances: new Map(), followers: [], following: anchor });
    this.agentLanes(anchor).followers.push(agent);
  }

  /** A provisional lane number for `agent` (and its `instance`, when it is replicated). */
  slot(agent: string, instance?: number): number {
    const lanes = this.agentLanes(agent);
    if (instance !== undefined && this.replicated.has(agent)) {
      let slot = lanes.instances.get(instance);
      if (slot === undefined) {
        slot = this.slots++;
        lanes.instances.set(instance, slot);
      }
      return slot;
    }
    lanes.main ??= this.slots++;
    return lanes.main;
  }

  /** The final lanes, and the map from provisional slot to lane id. */
  finish(): { lanes: Lane[]; laneOfSlot: number[] } {
    const lanes: Lane[] = [];
    const laneOfSlot = new Array<number>(this.slots);
    const order: string[] = [];
    const visit = (agent: string) => {
      order.push(agent);
      for (const follower of this.agents.get(agent)!.followers) visit(follower);
    };
    for (const [agent, owned] of this.agents) if (owned.following === undefined) visit(agent);
    for (const agent of order) {
      const owned = this.agents.get(agent)!;
      const instances = [...owned.instances.entries()].sort(([a], [b]) => a - b);
      // A replicated agent keeps its header lane even when nothing lands on it: it groups the replicas.
      if (owned.main !== undefined || instances.length > 0) {
        const id = lanes.length;
        lanes.push({ id, agent, label: agent, depth: 0, tracks: 1 });
        if (owned.main !== undefined) laneOfSlot[owned.main] = id;
      }
      for (const [instance, slot] of instances) {
        const id = lanes.length;
        lanes.push({ id, agent, instance, label: `${agent} #${instance}`, depth: 1, tracks: 1 });
        laneOfSlot[slot] = id;
      }
    }
    return { lanes, laneOfSlot };
  }

  private agentLanes(agent: string): AgentLanes {
    let lanes = this.agents.get(agent);
    if (!lanes) {
      lanes = { instances: new Map(), followers: [] };
      this.agents.set(agent, lanes);
    }
    return lanes;
  }
}
