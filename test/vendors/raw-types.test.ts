// Typed `raw` still narrows where it did, now that the specs' optional fields are optional in the
// types too. These are compile-time proofs: `npm run typecheck` (tsc over test/) fails when a
// narrowing stops working, or when a `@ts-expect-error` below no longer has an error to expect.
// The runtime checks make sure the narrowing guards agree with the values.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SnapshotOf } from '../../src/index.js';
import type {
  anaplan,
  CompletedReportTask,
  CompletedTask,
  OtherStateTask,
  ReportTaskError,
  ReportTaskFailureResult,
  ReportTaskResult,
  Task,
  TaskResult,
} from '../../src/vendors/anaplan/index.js';
import {
  type Details,
  type Details1,
  type Details1Resources,
  type Details2,
  type Details2Error,
  GetStatusOfAnAsyncTaskSchema,
  isTaskErrorInformation,
  isTaskResources,
} from '../../src/vendors/postman/index.js';

type AnaplanSnapshot = SnapshotOf<typeof anaplan>;

describe('Anaplan raw narrows on taskState', () => {
  it('a bulk task narrows to Task, CompletedTask or OtherStateTask', () => {
    const narrow = (snapshot: AnaplanSnapshot) => {
      if (snapshot.kind !== 'processes') return undefined;
      const task = snapshot.raw.task;
      // @ts-expect-error `result` is typed only on a COMPLETE (or other-state) task: narrow first.
      void task?.result?.successful;
      switch (task?.taskState) {
        case 'NOT_STARTED':
        case 'IN_PROGRESS':
          expectTypeOf(task).toEqualTypeOf<Task>();
          return task.progress;
        case 'COMPLETE':
          expectTypeOf(task).toEqualTypeOf<CompletedTask>();
          expectTypeOf(task.result).toEqualTypeOf<TaskResult | undefined>();
          return task.result?.successful;
        default:
          expectTypeOf(task).toEqualTypeOf<OtherStateTask | undefined>();
          return task?.result?.successful;
      }
    };
    const complete = {
      kind: 'processes',
      raw: { task: { taskState: 'COMPLETE', result: { successful: false } } },
    } as AnaplanSnapshot;
    expect(narrow(complete)).toBe(false);
  });
});

describe("a report's result narrows on successful", () => {
  it('true is a ReportTaskResult, false a ReportTaskFailureResult', () => {
    const read = (task: CompletedReportTask) => {
      const result = task.result;
      if (result?.successful === true) {
        expectTypeOf(result).toEqualTypeOf<ReportTaskResult>();
        return result.reportFileUrl;
      }
      if (result?.successful === false) {
        expectTypeOf(result).toEqualTypeOf<ReportTaskFailureResult>();
        expectTypeOf(result.error).toEqualTypeOf<ReportTaskError | undefined>();
        return result.error?.messageText;
      }
      // @ts-expect-error without `successful` the result is neither: nothing narrows it.
      const made: ReportTaskResult = result;
      return made;
    };
    expect(read({ taskState: 'COMPLETE', result: { successful: true, reportFileUrl: 'u' } })).toBe('u');
    expect(read({ taskState: 'COMPLETE', result: { successful: false, error: { messageText: 'm' } } })).toBe('m');
  });
});

describe('Postman details narrows with its guards', () => {
  it('isTaskResources and isTaskErrorInformation narrow Details to its documented members', () => {
    const read = (details: Details | undefined) => {
      // @ts-expect-error un-narrowed, `error` may be anything the spec's open branches let through.
      void details?.error?.message;
      if (isTaskErrorInformation(details)) {
        expectTypeOf(details).toEqualTypeOf<Details2>();
        expectTypeOf(details.error).toEqualTypeOf<Details2Error | undefined>();
        return details.error?.message;
      }
      if (isTaskResources(details)) {
        expectTypeOf(details).toEqualTypeOf<Details1>();
        expectTypeOf(details.resources).toEqualTypeOf<Details1Resources[] | undefined>();
        return details.resources?.map((r) => r.id).join();
      }
      return undefined;
    };
    const task = GetStatusOfAnAsyncTaskSchema.parse({ details: { error: { message: 'invalid schema' } } });
    expect(read(task.details)).toBe('invalid schema');
    expect(read({ resources: [{ id: 'c1' }, { id: 'c2' }] })).toBe('c1,c2');
    expect(read({ resources: [{ id: 'c1' }], error: 'boom' })).toBeUndefined();
  });
});
