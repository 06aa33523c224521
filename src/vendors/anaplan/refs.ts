/**
 * Task references: a bulk action's task (`{ workspaceId, modelId, actionId, taskId }`) or an ALM
 * task (`{ modelId, kind, taskId }`), and where each lives.
 *
 * @module
 */
import { z } from 'zod';

/** The four kinds of bulk action, as their URL segment. */
export const ACTION_TYPES = ['imports', 'exports', 'actions', 'processes'] as const;
/** A kind of bulk action: `imports`, `exports`, `actions` (deletes and other actions) or `processes`. */
export type ActionType = (typeof ACTION_TYPES)[number];

/** The three kinds of ALM task, as their URL segment. */
export const ALM_KINDS = ['syncTasks', 'comparisonReportTasks', 'summaryReportTasks'] as const;
/** A kind of ALM task. */
export type AlmKind = (typeof ALM_KINDS)[number];

// anaplan-sdk `_utils.py::action_url`: the action's id says what it is.
const PREFIXES: Record<string, ActionType> = {
  '112': 'imports',
  '116': 'exports',
  '117': 'actions',
  '118': 'processes',
};

/** The kind of bulk action an id names by its prefix (112 imports, 116 exports, 117 actions, 118 processes). */
export function actionTypeOf(actionId: string): ActionType | undefined {
  return /^\d{4,}$/.test(actionId) ? PREFIXES[actionId.slice(0, 3)] : undefined;
}

const id = (name: string, example: string) =>
  z
    .string({ error: `${name} is required: a string such as "${example}"` })
    .trim()
    .min(1, `${name} must not be empty`);

const actionFields = {
  workspaceId: id('workspaceId', '8a81b09d5e8c6f27015ece3402487d33'),
  modelId: id('modelId', '75A40874E6B64FA3AE0743278996850F'),
  /** The import, export, action or process id; a number is taken as its decimal text. */
  actionId: z
    .union([z.string().trim().min(1), z.number().int().nonnegative()], {
      error: 'actionId is required: the import, export, action or process id, such as "112000000007"',
    })
    .transform(String),
  /** Which kind of action `actionId` is. Default: read from the id's prefix. */
  actionType: z.enum(ACTION_TYPES, { error: `actionType must be one of ${ACTION_TYPES.join(', ')}` }).optional(),
};

function knownActionType(ref: { actionId: string; actionType?: ActionType | undefined }, ctx: z.RefinementCtx): void {
  if (ref.actionType || actionTypeOf(ref.actionId)) return;
  ctx.addIssue({
    code: 'custom',
    path: ['actionId'],
    message: `actionId "${ref.actionId.slice(0, 40)}" does not start with 112 (imports), 116 (exports), 117 (actions) or 118 (processes); pass actionType to say which kind it is`,
  });
}

/** A bulk action: what `tasks()` lists and `start()` runs. */
export const AnaplanActionRef = z.object(actionFields).superRefine(knownActionType);
export type AnaplanActionRef = z.input<typeof AnaplanActionRef>;

/** The task of a bulk action (import, export, action or process). */
export const AnaplanActionTaskRef = z
  .object({ ...actionFields, taskId: id('taskId', '16605AE88D1D46EDB88FD12DFBA867A9'), kind: z.undefined().optional() })
  .superRefine(knownActionType);
export type AnaplanActionTaskRef = z.input<typeof AnaplanActionTaskRef>;

/** An ALM sync, comparison report or summary report task. */
export const AnaplanAlmTaskRef = z.object({
  modelId: id('modelId', '75A40874E6B64FA3AE0743278996850F'),
  kind: z.enum(ALM_KINDS),
  taskId: id('taskId', '0A1B2C3D4E5F0A1B2C3D4E5F0A1B2C3D'),
});
export type AnaplanAlmTaskRef = z.input<typeof AnaplanAlmTaskRef>;

/** Any Anaplan task reference: a bulk action's task, or an ALM task (the one with `kind`). */
export const AnaplanTaskRef = z.discriminatedUnion('kind', [AnaplanActionTaskRef, AnaplanAlmTaskRef], {
  error: (issue) =>
    typeof issue.input !== 'object' || issue.input === null
      ? 'an Anaplan task reference is an object: { workspaceId, modelId, actionId, taskId } for a bulk action task, or { modelId, kind, taskId } for an ALM task (or pass the task URL)'
      : `kind must be one of ${ALM_KINDS.join(', ')} (an ALM task), or left out for a bulk action task`,
});
export type AnaplanTaskRef = z.input<typeof AnaplanTaskRef>;

/** The kind of a validated bulk action: its `actionType`, else its id's. */
export function actionTypeFor(ref: z.output<typeof AnaplanActionRef>): ActionType {
  // The ref schema has made sure one of the two is there.
  return ref.actionType ?? (actionTypeOf(ref.actionId) as ActionType);
}

/** The path segments of a bulk action's task list below the base URL. */
export function actionPath(ref: z.output<typeof AnaplanActionRef>): string[] {
  return ['workspaces', ref.workspaceId, 'models', ref.modelId, actionTypeFor(ref), ref.actionId, 'tasks'];
}
