/** The analyser's public surface: `teamc analyze` and the design-advice rules read these. */
export type { AgentEdge, AgentGraph, AgentNode, Cost, EdgeKind, GraphFinding, WorkGraph, WorkTaskInput } from './graph.js';
export { buildWorkDag } from './graph.js';
export { criticalPath, type CriticalPath } from './critical-path.js';
export { dagWidth, type Width } from './width.js';
export {
  amdahlCeiling,
  amdahlSpeedup,
  greedyTimeBound,
  loadBoundSpeedup,
  parallelFraction,
  workSpanSpeedup,
  workSpanTime,
} from './speedup.js';
export { simulateSchedule, type AssignPolicy, type LeadOptions, type Schedule, type ScheduledTask, type ScheduleOptions } from './schedule.js';
export { agentTimeline, type AgentStep, type AgentTimeline, type AgentTimelineOptions, type AllToAllGroup, type EdgeMessages } from './agents.js';
export {
  analyzeAgentGraph,
  analyzeWorkGraph,
  ENOUGH_OF_BEST,
  SERIAL_THRESHOLD,
  times,
  type Advice,
  type AgentAnalysisOptions,
  type AgentReport,
  type AnalysisReport,
  type SizeRow,
  type WorkAnalysisOptions,
  type WorkReport,
} from './report.js';
export { describeFinding, duration, formatReport } from './format.js';
export {
  analysisInputs,
  analyzeTeam,
  type DefinitionAnalysisOptions,
  type TeamAnalysisInputs,
  type TeamReports,
  type WorkInput,
} from './from-definition.js';
