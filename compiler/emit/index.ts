/**
 * `teamc build`'s code generator: checked model → view models (`from-model.ts`) → TypeScript
 * text (`render.ts`, handlebars templates) → files confined to the output directory (`write.ts`).
 */
import type { ProgramModel } from '../model.js';
import { viewsFromModel, type FromModelOptions } from './from-model.js';
import { renderModule } from './render.js';
import type { OutputFile } from './write.js';
import type { ModuleView } from './view-model.js';

export { EmitError, viewsFromModel, type FromModelOptions } from './from-model.js';
export { renderModule, RenderError } from './render.js';
export { confine, OutputPathError, writeOutputs, type OutputFile, type WriteResult } from './write.js';
export type * from './view-model.js';

/** Renders every module; nothing is written, so a failure leaves no partial output. */
export function renderModules(views: readonly ModuleView[]): OutputFile[] {
  return views.map((view) => ({ path: view.path, text: renderModule(view) }));
}

/** The generated modules of a checked program: its roots' teams and every file's shared declarations. */
export function emitProgram(model: ProgramModel, roots: readonly string[], options: FromModelOptions): OutputFile[] {
  return renderModules(viewsFromModel(model, roots, options));
}
