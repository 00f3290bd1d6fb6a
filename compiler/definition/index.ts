/** The checked model as the runtime's `TeamDefinition`: what `teamc run` and `teamc simulate` execute. */
export { SchemaBuilder, schemaOf } from './zod.js';
export {
  definitionData,
  DefinitionError,
  toTeamDefinition,
  type AgentData,
  type ChannelData,
  type DefinitionData,
  type InputData,
  type OutputData,
  type StoreData,
  type ToolData,
  type WithTypes,
} from './from-model.js';
export { describeType, parseInputs, resolveType, takesText, type InputParse } from './inputs.js';
